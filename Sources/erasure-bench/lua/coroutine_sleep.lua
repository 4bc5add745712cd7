-- erasure-bench coroutines: each call awaits one async host call (timer.sleep) and returns.
return function(i, ms)
  local ok = timer.sleep(ms)
  return ok and i * 2
end
