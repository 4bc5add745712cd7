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
--   (if the user went since, the DELETE answers 404: not_found), and never once one of our DELETEs
--   for that user went unanswered (it may have acted). ABSENCE is never read from the
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
  -- verify: plugin.verify below (a lookup trusts cached pages; many verifications share a read).
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

-- Verifying deletions (the host calls plugin.verify once CubiCasa confirmed one). A deletion is
-- verified when a read of the whole list made after it no longer lists the user. The deletions
-- confirmed while one read runs gather into a "round", verified together by the next read, so a
-- batch pays for one read of the list per round, not per person.
-- A read holds this run's DELETEs back and waits for those in flight: then nothing we do shifts
-- users between pages meanwhile (the header's reason for walking back), and the pages can be read
-- in any order — in parallel, by every member of the round and every DELETE held back. When a
-- DELETE in flight does not finish soon (a vendor asking us to retry later), the round instead
-- walks the list forward and back like a lookup, which stays right while deletions land, and
-- lets the DELETEs go. Each page read is in the receipt of the step that read it. (Like the
-- walks above, this assumes no one else changes the list meanwhile.)
local STALLED = 300              -- seconds without progress: whoever we wait for is gone
local QUIET, GATHER = 0.01, 0.1  -- a round reads after 10 ms without a new member, or 100 ms at most
local DRAIN = 0.05               -- how long a read waits for the DELETEs in flight
local gathering, reading, holding  -- the round taking members; reading the list; holding DELETEs
local held = 0                   -- DELETEs waiting for a read to end
local deleting = {}              -- DELETEs of this run in flight: token -> when sent
local chain = {}                 -- the offsets of the list's pages at the last full read

-- Polls `ready` every `every` seconds: 5 ms unless said — the leader of a round, for which held
-- DELETEs wait, polls every millisecond; a member done helping, every 20 ms (many may wait).
local function wait_until(ctx, progress, ready, every)
  while not ready() do
    if ctx.now() - progress() > STALLED then
      error({ message = "CubiCasa: a read of the user list to verify deletions stalled", retryable = true })
    end
    ctx.sleep(every or 0.005)
  end
end

local help

-- A DELETE waits while a read holds DELETEs back, and meanwhile helps it read.
local function send_delete(ctx, id)
  if holding then
    held = held + 1
    local ok, err = pcall(wait_until, ctx, function() return holding and holding.progress or ctx.now() end,
                          function()
                            if holding and #holding.queue > 0 then help(ctx, holding) end
                            return not holding
                          end)
    held = held - 1
    if not ok then error(err, 0) end
  end
  local token = {}
  deleting[token] = ctx.now()
  local ok, resp = pcall(ctx.http.delete, ctx.url(ctx.config.base_url, "users", id), { headers = headers(ctx) })
  deleting[token] = nil
  if not ok then
    -- Without an answer the DELETE may still have removed the user: from now on no cached page
    -- may prove them present (the host's lookup after an interrupted request must read afresh).
    for offset, entry in pairs(pages) do
      if search(entry.page, function(item) return item.id == id end) then pages[offset] = nil end
    end
    error(resp, 0)
  end
  return resp
end

local function no_deletion_in_flight(ctx)
  for _, sent in pairs(deleting) do
    if ctx.now() - sent < STALLED then return false end
  end
  return true
end

local function read_page(ctx, round, offset)
  local started = ctx.now()
  local page = get_page(ctx, offset)
  round.progress = ctx.now()
  pages[offset] = { page = page, at = started }
  round.read[offset] = page
  for _, item in ipairs(page.items) do
    if round.ids[item.id] then round.present[item.id] = item end
  end
  return page
end

-- Takes offsets from the round's queue until it is empty.
function help(ctx, round)
  while #round.queue > 0 do
    local offset = table.remove(round.queue)
    round.busy = round.busy + 1
    local ok, err = pcall(read_page, ctx, round, offset)
    round.busy = round.busy - 1
    if not ok then round.err = round.err or err end
  end
end

-- Follows the list from offset 0, reading the pages the round has not read yet; returns the
-- offsets of its pages.
local function follow(ctx, round)
  local offsets, offset = {}, 0
  for _ = 1, ctx.config.max_pages do
    local page = round.read[offset] or read_page(ctx, round, offset)
    offsets[#offsets + 1] = offset
    local nxt = page.pagination.next_offset
    if page.pagination.has_more ~= true or math.type(nxt) ~= "integer" or nxt <= offset then return offsets end
    offset = nxt
  end
  error({ message = "CubiCasa user list still had more pages after max_pages", retryable = false })
end

-- Everything held still: the pages the list had at the last read (at first, those lookups have
-- seen) by everyone at once, then the chain from offset 0 for what they did not cover.
local function read_held(ctx, round)
  if #chain == 0 then
    for offset in pairs(pages) do chain[#chain + 1] = offset end
  end
  for i, offset in ipairs(chain) do round.queue[i] = offset end
  round.open = true
  help(ctx, round)
  wait_until(ctx, function() return round.progress end, function() return round.busy == 0 end, 0.001)
  if round.err then error(round.err, 0) end
  chain = follow(ctx, round)
end

-- Deletions landing meanwhile: forward, then back over the same pages, each read afresh.
local function walk_both_ways(ctx, round)
  chain = follow(ctx, round)
  for i = #chain - 1, 1, -1 do read_page(ctx, round, chain[i]) end   -- the last page was just read
end

-- The leader's part: after the previous round, let the deletions under way finish and join,
-- then read.
local function lead(ctx, round)
  local progress = function() return round.progress end
  local previous = reading
  if previous then
    wait_until(ctx, function() return previous.progress end, function() return previous.done end, 0.001)
  end
  reading = round
  wait_until(ctx, progress, function() return held == 0 end, 0.001)
  local opened = ctx.now()
  wait_until(ctx, progress, function()
    local now = ctx.now()
    return now - opened >= GATHER or (now - round.joined >= QUIET and no_deletion_in_flight(ctx))
  end, 0.001)
  holding = round
  local drained = ctx.now()
  wait_until(ctx, progress, function() return no_deletion_in_flight(ctx) or ctx.now() - drained >= DRAIN end, 0.001)
  gathering = nil                        -- deletions confirmed from now on gather for the next round
  round.progress = ctx.now()
  if no_deletion_in_flight(ctx) then
    read_held(ctx, round)
  else
    holding = nil
    walk_both_ways(ctx, round)
  end
end

function plugin.verify(ctx, user, result)
  local id = result.vendor_id or user.id
  local round = gathering
  if round then
    round.ids[id] = true
    round.joined = ctx.now()
    local progress = function() return round.progress end
    wait_until(ctx, progress, function() return round.open or round.done end)
    help(ctx, round)
    wait_until(ctx, progress, function() return round.done end, 0.02)
  else
    round = { ids = { [id] = true }, present = {}, read = {}, queue = {}, busy = 0, progress = ctx.now(),
              joined = ctx.now() }
    gathering = round
    local ok, err = pcall(lead, ctx, round)
    if gathering == round then gathering = nil end
    if reading == round then reading = nil end
    if holding == round then holding = nil end
    round.done, round.err = true, round.err or (not ok and err) or nil
  end
  if round.err then error(round.err, 0) end
  return round.present[id]
end

function plugin.delete(ctx, user, record)
  local id = record and record.id or user.id
  if not id then
    record = plugin.lookup(ctx, user)
    if not record then return { outcome = "not_found", message = "no CubiCasa user with this email" } end
    id = record.id
  end
  local resp = send_delete(ctx, id)
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

return plugin
