-- CubiCasa Integrate API v3: delete a user of the company account.
-- What is confirmed, assumed or unknown about this vendor, and the config key behind each
-- assumption: docs/vendors.md#cubicasa
--
-- Endpoints
--   GET    {base_url}/users?limit&offset -> {"pagination":{"has_more","limit","next_offset",
--          "previous_offset"},"items":[{id, email, ...}]}   CONFIRMED (list + pagination pages).
--          We trust next_offset exactly as the docs say (their example goes 0 -> 21 at limit 20),
--          and stop when it does not move forward.
--   DELETE {base_url}/users/{user_id} -> 200 {"message":"User ... was deleted successfully"}
--          CONFIRMED; the user's orders remain, unassigned. user_id is the UUID `id` (ASSUMED).
-- Identity: id, or email (found by walking the user list, stopping at the first match: the
--   "get user by email" endpoint's path is UNKNOWN).
-- Auth: "api-key: <key>" header (CONFIRMED).
-- Not confirmed: error bodies (UNKNOWN); 404 for an unknown id is how third-party clients read it
--   (SECONDARY) -> not_found; 401/403 -> failed.
-- Batches: every lookup walks the list, so pages seen in the last `list_cache_seconds` (default 60)
--   are searched first, shared by every person of the run. A cached page only ever proves PRESENCE
--   (if the user went since, the DELETE answers 404: not_found). ABSENCE is never read from the
--   cache: offsets shift while other deletions run, so a forward walk can miss a user who moves
--   onto a page already read. "Not found" therefore needs a forward walk (which learns the page
--   offsets) and then a fresh walk BACKWARDS over them: a deletion only moves users to lower
--   offsets, i.e. onto pages the backward walk has still to read, so an existing user is always seen.

local plugin = {
  name = "cubicasa",
  version = "1.0.0",
  description = "CubiCasa Integrate API v3: delete a user (by id or email)",
  hosts = { "app.cubi.casa" },
  config = {
    base_url = { default = "https://app.cubi.casa/api/integrate/v3" },
    api_key = { required = true, secret = true },
    page_limit = { default = 20, type = "integer", doc = "users per page when searching by email" },
    max_pages = { default = 10000, type = "integer", doc = "give up an email search after this many pages" },
    list_cache_seconds = { default = 60, type = "number", doc = "how long a page of the user list is reused" },
  },
  identity = { "id", "email" },
  -- verify: plugin.verify below (a lookup would trust cached pages).
}

local function headers(ctx)
  return { ["api-key"] = ctx.config.api_key, ["Accept"] = "application/json" }
end

local function fail(resp, what)
  error({ message = string.format("CubiCasa %s failed (HTTP %s)", what, tostring(resp.status)),
          retryable = resp.status == 429 or resp.status >= 500 })
end

local function same(a, b)
  return type(a) == "string" and type(b) == "string" and a:lower() == b:lower()
end

local pages, loading = {}, {}   -- offset -> { page, at }; offset -> true while being fetched

local function get_page(ctx, offset)
  local resp = ctx.http.get(ctx.url(ctx.config.base_url, "users"), {
    headers = headers(ctx), query = { limit = tostring(ctx.config.page_limit), offset = tostring(offset) },
  })
  if resp.status ~= 200 then fail(resp, "user list") end
  local page = resp.json()
  if type(page) ~= "table" or type(page.items) ~= "table" or type(page.pagination) ~= "table" then
    error({ message = "CubiCasa user list answer has no items/pagination", retryable = false })
  end
  return page
end

-- A page requested at or after `since` (one request per offset at a time: the others share it).
local function fetch(ctx, offset, since)
  while loading[offset] do ctx.sleep(0.005) end
  local cached = pages[offset]
  if cached and cached.at >= since then return cached.page end
  loading[offset] = true
  local started = ctx.now()
  local ok, result = pcall(get_page, ctx, offset)
  loading[offset] = nil
  if not ok then error(result, 0) end
  pages[offset] = { page = result, at = started }
  return result
end

local function search(page, match)
  for _, item in ipairs(page.items) do
    if match(item) then return item end
  end
end

-- Walks GET /users forward until `match`; returns the item, or nil and the offsets it read.
local function walk(ctx, match)
  local since, offset, offsets = ctx.now(), 0, {}
  for _ = 1, ctx.config.max_pages do
    local page = fetch(ctx, offset, since)
    offsets[#offsets + 1] = offset
    local item = search(page, match)
    if item then return item end
    local nxt = page.pagination.next_offset
    if page.pagination.has_more ~= true or math.type(nxt) ~= "integer" or nxt <= offset then
      return nil, offsets
    end
    offset = nxt
  end
  error({ message = "CubiCasa user list still had more pages after max_pages", retryable = false })
end

local function find(ctx, match)
  local ttl = ctx.config.list_cache_seconds
  if ttl > 0 then
    local now = ctx.now()
    for _, entry in pairs(pages) do
      if now - entry.at < ttl then
        local item = search(entry.page, match)
        if item then return item end
      end
    end
  end
  local item, offsets = walk(ctx, match)
  if item then return item end
  -- Confirm the absence backwards, each page requested afresh, in order (no sharing).
  for i = #offsets, 1, -1 do
    local started = ctx.now()
    local page = get_page(ctx, offsets[i])
    pages[offsets[i]] = { page = page, at = started }
    item = search(page, match)
    if item then return item end
  end
  return nil
end

function plugin.lookup(ctx, user)
  if user.id then
    return find(ctx, function(item) return item.id == user.id end)
  end
  return find(ctx, function(item) return same(item.email, user.email) end)
end

function plugin.delete(ctx, user, record)
  local id = record and record.id or user.id
  if not id then
    record = plugin.lookup(ctx, user)
    if not record then return { outcome = "not_found", message = "no CubiCasa user with this email" } end
    id = record.id
  end
  local resp = ctx.http.delete(ctx.url(ctx.config.base_url, "users", id), { headers = headers(ctx) })
  if resp.planned then return { outcome = "planned" } end
  if resp.status == 404 then return { outcome = "not_found", message = "no CubiCasa user with this id" } end
  if resp.status ~= 200 then
    return { outcome = "failed", message = string.format("CubiCasa refused the deletion (HTTP %d)", resp.status) }
  end
  -- The answer is CubiCasa's {"message": "User ... was deleted successfully"} or the deletion is
  -- not confirmed (an answer we cannot read is never a deletion).
  local ok, body = pcall(resp.json)
  if not ok or type(body) ~= "table" or type(body.message) ~= "string" then
    return { outcome = "failed", retryable = true,
             message = "CubiCasa answered the deletion with HTTP 200 but not with its {message} object: not confirmed" }
  end
  return { outcome = "deleted", message = body.message, vendor_id = id }
end

-- Verifying a deletion (the host calls this once CubiCasa confirmed one): the user must be
-- missing from a walk of the list that starts after the deletion, forward then backward, every
-- page read afresh (the cache only ever proves presence: see the header). Walks are shared: the
-- deletions confirmed while one walk runs are all checked by the next, so a batch pays for one
-- walk at a time, not one per person. The walk's requests are in the receipt of the deletion
-- that started it.
local gathering, walking = nil, nil   -- the round taking deletions; the round being walked
local STALLED = 300                    -- seconds without a page read: the walker is gone

local function wait_for(ctx, round, ready)
  while not ready() do
    if ctx.now() - round.progress > STALLED then
      error({ message = "CubiCasa: the shared walk verifying deletions stalled", retryable = true })
    end
    ctx.sleep(0.005)
  end
end

local function walk_round(ctx, round)
  local function note(offset)
    local started = ctx.now()
    local page = get_page(ctx, offset)
    round.progress = ctx.now()
    pages[offset] = { page = page, at = started }
    for _, item in ipairs(page.items) do
      if round.ids[item.id] then round.present[item.id] = item end
    end
    return page
  end
  local offset, offsets = 0, {}
  for _ = 1, ctx.config.max_pages do
    local page = note(offset)
    offsets[#offsets + 1] = offset
    local nxt = page.pagination.next_offset
    if page.pagination.has_more ~= true or math.type(nxt) ~= "integer" or nxt <= offset then
      for i = #offsets - 1, 1, -1 do note(offsets[i]) end   -- the last page was just read
      return
    end
    offset = nxt
  end
  error({ message = "CubiCasa user list still had more pages after max_pages", retryable = false })
end

function plugin.verify(ctx, user, result)
  local id = result.vendor_id or user.id
  local round = gathering
  if round then
    round.ids[id] = true
    wait_for(ctx, round, function() return round.done end)
  else
    round = { ids = { [id] = true }, present = {}, progress = ctx.now() }
    gathering = round
    local previous = walking
    local ok, err = pcall(function()
      if previous then wait_for(ctx, previous, function() return previous.done end) end
      gathering, walking = nil, round   -- later deletions gather for the next walk
      round.progress = ctx.now()
      walk_round(ctx, round)
    end)
    if gathering == round then gathering = nil end
    if walking == round then walking = nil end
    round.done, round.err = true, not ok and err or nil
  end
  if round.err then error(round.err, 0) end
  return round.present[id]
end

return plugin
