-- The patterns of erasure-bench's `patterns` section: what plugins do with strings (ids, emails,
-- headers, query strings, dates, bodies). Returns the case names and run(case, lib, n), which
-- runs case number `case` n times with the pattern functions of `lib` (string: the guarded ones;
-- lua: Lua's own) and returns a checksum, so both sides can be compared.
local body = ('{"id": "u-1",  "email":   "ada@example.com",\n  "name": "Ada   Lovelace"}  '):rep(40)
local cases = {
  { "find plain",      function(L) return L.find("Authorization: Bearer abc.def.ghi", "Bearer") end },
  { "find class",      function(L) return L.find("user-2024-000123", "%d+") end },
  { "match email",     function(L) return L.match("ada.lovelace@example.com", "^([^@]+)@(.+)$") end },
  { "match trim",      function(L) return L.match("   hello world   ", "^%s*(.-)%s*$") end },
  { "match date",      function(L) return L.match("2024-01-02T03:04:05Z", "(%d+)-(%d+)-(%d+)T(%d+):(%d+)") end },
  { "match header",    function(L) return L.match("Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0", "^Bearer%s+(%S+)$") end },
  { "gmatch query",    function(L)
      local n = 0
      for k, v in L.gmatch("a=1&bb=22&ccc=333&dddd=4444", "([^&=]+)=([^&=]*)") do n = n + #k + #v end
      return n
    end },
  { "gsub escape",     function(L) return select(2, L.gsub("ada lovelace+1@example.com", "[^%w%-_%.~]", "%%")) end },
  { "gsub body 3 KB",  function(L) return select(2, L.gsub(body, "%s+", " ")) end },
}
local names = {}
for i, c in ipairs(cases) do names[i] = c[1] end
local libs = { string = string, lua = lua }
local function run(case, lib, n)
  local f, L = cases[case][2], libs[lib]
  local sum = 0
  for _ = 1, n do
    local r = f(L)
    sum = sum + (type(r) == "number" and r or #tostring(r))
  end
  return sum
end
return names, run
