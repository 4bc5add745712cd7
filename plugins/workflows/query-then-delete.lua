-- query-then-delete: one vendor; look the person up, and delete only what was found.
--
--   erasure run query-then-delete --param vendor=cubicasa email=ada@example.com
--
-- Nothing is sent to any other vendor. Absent -> not_found; found -> deleted.

return {
  description = "one vendor (--param vendor=NAME): lookup, then delete only what was found",
  run = function(person, vendors, params)
    local name = params.vendor
    if not name then
      error("query-then-delete needs the vendor: --param vendor=NAME")
    end
    local vendor = vendors[name]
    if not vendor then
      return skip("no " .. name .. " identity for this person, or " .. name .. " is not configured")
    end
    local record = vendor:lookup()
    if record then
      vendor:delete(record)
    end
  end,
}
