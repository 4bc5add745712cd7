-- ctx.log: debug, info, warn, error; the arguments joined by spaces. The host names the vendor
-- and redacts secrets.
local host = ...
local write = host.log

-- A new ctx.log table.
return function()
  local log = {}
  for _, level in ipairs({ "debug", "info", "warn", "error" }) do
    log[level] = function(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      write(level, table.concat(parts, " ", 1, parts.n))
    end
  end
  return log
end
