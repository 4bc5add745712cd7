-- offboard: erase a person from every configured vendor that knows them.
--
-- For each vendor the person has an identity for: look the person up; delete what is found.
-- A vendor where the lookup finds nobody reports not_found; a lookup that fails reports failed,
-- and the other vendors go on.
--
--   erasure run offboard --users people.csv --dry-run     # the plan
--   erasure run offboard email=ada@example.com gafapay.id=6f1b... engagelab.alias=ada_lovelace

return {
  description = "every configured vendor: look up, delete if present, not_found otherwise",
  run = function(person, vendors)
    for _, vendor in ipairs(vendors) do
      local record = vendor:lookup()
      if record then
        vendor:delete(record)
      end
    end
  end,
}
