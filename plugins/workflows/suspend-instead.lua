-- suspend-instead: GafaPay. Delete the account, unless its record shows it must be kept; then
-- suspend it instead (GafaPay's own advice: "Consider using status updates (e.g.
-- USER_STATUS_SUSPENDED or USER_STATUS_BLOCKED) instead of deletion").
--
-- The rule is below, in must_keep: change it to your policy. GafaPay's constants:
--   kyc_process_status  1 pending, 2 init, 3 verified, 4 approved, 5 rejected, 6 expired
--   status_id           1 active, 2 inactive, 3 onboard, 4 blocked, 5 suspended, 6 rejected

local function must_keep(record)
  if record.kyc_process_status == 1 or record.kyc_process_status == 2 then
    return "KYC still in progress"
  end
  if record.status_id == 4 then
    return "account is blocked"
  end
  return nil
end

return {
  description = "GafaPay: suspend when the record must be kept (KYC in progress, blocked), delete otherwise",
  run = function(person, vendors)
    local gafapay = vendors.gafapay
    if not gafapay then
      return skip("no GafaPay id for this person")
    end
    local record = gafapay:lookup()
    if not record then
      return
    end
    local reason = must_keep(record)
    if reason then
      gafapay:suspend(record, reason)
    else
      gafapay:delete(record)
    end
  end,
}
