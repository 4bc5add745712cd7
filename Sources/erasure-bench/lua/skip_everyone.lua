-- erasure-bench rss: a workflow with no HTTP at all, every person skipped.
return { description = "bench: skip everyone", run = function(person, vendors) skip("bench") end }
