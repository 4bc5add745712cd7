-- erasure-bench hostcall: calls f() n times, so one loop measures a C and a Swift no-op alike.
return function(f, n)
  for i = 1, n do f() end
end
