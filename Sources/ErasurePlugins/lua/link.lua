-- Link headers (RFC 8288): `<https://api.example/users?page=2>; rel="next", <...>; rel="last"`.
-- A response may carry several Link header lines and each line several links, in any order:
-- parse() reads one line, find() picks a link by relation type.
local M = {}

local find, sub, lower, gmatch = string.find, string.sub, string.lower, string.gmatch

-- i: the position after any spaces or tabs from i.
local function skip(s, i)
  local _, e = find(s, "^[ \t]*", i)
  return e + 1
end

-- The links of one header value, appended to `into` (a list): each { url = "...", rel = "next last",
-- params = { rel = "...", title = "...", ... } } (parameter names lower-cased; of a repeated
-- parameter the first counts, as RFC 8288 says). A link that does not parse ends the line.
function M.parse(value, into)
  local links = into or {}
  local i, n = 1, #value
  while i <= n do
    i = skip(value, i)
    if sub(value, i, i) ~= "<" then break end
    local close = find(value, ">", i + 1, true)
    if not close then break end
    local link = { url = sub(value, i + 1, close - 1), params = {} }
    i = close + 1
    while true do
      i = skip(value, i)
      local c = sub(value, i, i)
      if c ~= ";" then
        if c == "," then i = i + 1 end
        break
      end
      i = skip(value, i + 1)
      local _, e, name = find(value, "^([!#$%%&'*+%-.^_`|~%w]+)", i)
      if not name then break end
      i = skip(value, e + 1)
      local v = ""
      if sub(value, i, i) == "=" then
        i = skip(value, i + 1)
        if sub(value, i, i) == '"' then
          local parts, j = {}, i + 1
          while j <= n do
            local ch = sub(value, j, j)
            if ch == "\\" then parts[#parts + 1] = sub(value, j + 1, j + 1); j = j + 2
            elseif ch == '"' then break
            else parts[#parts + 1] = ch; j = j + 1 end
          end
          v, i = table.concat(parts), j + 1
        else
          local _, te, token = find(value, "^([^;,%s]*)", i)
          v, i = token, te + 1
        end
      end
      name = lower(name)
      if link.params[name] == nil then link.params[name] = v end
    end
    link.rel = link.params.rel
    links[#links + 1] = link
  end
  return links
end

-- The URL of the first link whose relation types (space-separated, any case) include `rel`.
function M.find(links, rel)
  rel = lower(rel)
  for _, link in ipairs(links) do
    for r in gmatch(lower(link.rel or ""), "%S+") do
      if r == rel then return link.url end
    end
  end
  return nil
end

-- `ref` resolved against the URL of the request it came from: absolute, `/path`, `?query` or
-- a relative path.
function M.resolve(base, ref)
  if find(ref, "^%a[%w+.-]*://") then return ref end
  local origin = string.match(base, "^(%a[%w+.-]*://[^/?#]+)") or ""
  if sub(ref, 1, 2) == "//" then return (string.match(base, "^(%a[%w+.-]*:)") or "") .. ref end
  if sub(ref, 1, 1) == "/" then return origin .. ref end
  local path = string.match(base, "^[^?#]*")
  if sub(ref, 1, 1) == "?" then return path .. ref end
  return (string.match(path, "^(.*/)") or (origin .. "/")) .. ref
end

return M
