-- ctx.http.pages: one request per page until the vendor's list ends, for the four ways vendor
-- APIs page a list — Link rel="next" headers, offset/limit, page numbers, and a cursor (next
-- token) read from the answer. Past `max_pages` (default 100) with more pages to read it raises
-- an error: a list is never silently cut short.
local M = {}

local function fail(message, retryable) error({ message = message, retryable = retryable == true }, 0) end

local function copy(t)
  local out = {}
  for k, v in pairs(t or {}) do out[k] = v end
  return out
end

local paging_fields = {
  paging = true, items = true, max_pages = true, limit = true, limit_param = true, offset_param = true,
  page_param = true, first_page = true, cursor = true, cursor_param = true,
}

-- for items, resp in pages(request, spec) do ... end; `request(req)` sends one request.
function M.iterate(request, spec)
  if type(spec) ~= "table" then error("ctx.http.pages expects a table {url, paging, items, ...}", 3) end
  local paging = spec.paging or "link"
  if type(spec.items) ~= "function" then error("ctx.http.pages: `items` must be a function(resp) returning the page's list", 3) end
  local limit = spec.limit
  if (paging == "offset" or paging == "page") and math.type(limit) ~= "integer" then
    error("ctx.http.pages: paging = \"" .. paging .. "\" needs `limit` (the page size, an integer)", 3)
  end
  if paging == "cursor" and type(spec.cursor) ~= "function" then
    error("ctx.http.pages: paging = \"cursor\" needs `cursor = function(resp, items)` returning the next token or nil", 3)
  end
  if paging ~= "link" and paging ~= "offset" and paging ~= "page" and paging ~= "cursor" then
    error("ctx.http.pages: paging must be \"link\", \"offset\", \"page\" or \"cursor\" (got " .. tostring(paging) .. ")", 3)
  end
  local max_pages = spec.max_pages or 100
  local base = {}
  for k, v in pairs(spec) do if not paging_fields[k] then base[k] = v end end
  base.method = base.method or "GET"

  local read, offset, page, nexturl, token, done = 0, 0, spec.first_page or 1, nil, nil, false
  return function()
    if done then return nil end
    if read >= max_pages then
      fail(string.format("ctx.http.pages: %s has more than %d pages (max_pages = %d): raise max_pages, or ask for fewer",
        tostring(spec.url), max_pages, max_pages))
    end
    local req = copy(base)
    req.query = copy(base.query)
    if paging == "link" and nexturl then
      req.url, req.query = nexturl, nil
    elseif paging == "offset" then
      req.query[spec.offset_param or "offset"] = offset
      req.query[spec.limit_param or "limit"] = limit
    elseif paging == "page" then
      req.query[spec.page_param or "page"] = page
      if spec.limit_param ~= false then req.query[spec.limit_param or "per_page"] = limit end
    elseif paging == "cursor" and token then
      req.query[spec.cursor_param or "cursor"] = token
    end
    local resp = request(req)
    if resp.status < 200 or resp.status > 299 then
      fail(string.format("ctx.http.pages: %s %s (page %d) answered HTTP %d", req.method, req.url, read + 1, resp.status),
        resp.status == 429 or resp.status >= 500)
    end
    read = read + 1
    local items = spec.items(resp)
    if type(items) ~= "table" then
      fail(string.format("ctx.http.pages: items(resp) returned %s for page %d, not a list", type(items), read))
    end
    local n = #items
    if paging == "link" then
      nexturl = resp.link("next")
      done = nexturl == nil
    elseif paging == "offset" then
      offset = offset + n
      done = n < limit
    elseif paging == "page" then
      page = page + 1
      done = n < limit
    else
      token = spec.cursor(resp, items)
      done = token == nil or token == "" or token == json.null
    end
    if n == 0 then done = true end
    return items, resp
  end
end

return M
