-- Read-only views. A plugin's ctx and every table in it are views over tables that other
-- plugins and the host may share (ctx.json is one table for the whole runtime): a view refuses
-- assignment and never hands out the table behind it (not through pairs either), so nothing one
-- plugin does changes what another plugin or the host sees.
local M = {}

function M.view(t, name)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k)
      error(name .. " is read-only (cannot set " .. tostring(k) .. ")", 2)
    end,
    -- an iterator of its own: `pairs` must not return `t` as its state
    __pairs = function()
      local k
      return function()
        local v
        k, v = next(t, k)
        return k, v
      end
    end,
    __len = function() return #t end,
    __metatable = false,
  })
end

return M
