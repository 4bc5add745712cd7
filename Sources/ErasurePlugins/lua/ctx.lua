-- ctx, the host API a plugin sees (Contract 1), like Kong's PDK: the primitives below, and one
-- file per namespace (ctx_http.lua, ctx_auth.lua, ctx_log.lua, ctx_state.lua). Each plugin gets a ctx of its
-- own, and every table of it is a read-only view (readonly.lua): one plugin cannot change what
-- another plugin, or the host, sees.
local host, files = ...
local view = files.readonly().view
local json = json
local url, uuid, now, sleep = host.url, host.uuid, host.now, host.sleep

local namespaces = {
  http = files.ctx_http(host, files.response(files.link()), files.pages()),
  auth = files.ctx_auth(host),
  log = files.ctx_log(host),
  state = files.ctx_state(host),
}

-- The ctx of plugin `vendor`.
return function(vendor, config, dry_run)
  local ctx = {
    vendor = vendor,
    config = view(config, "ctx.config"),
    dry_run = dry_run,
    json = view(json, "ctx.json"),
    url = url,
    uuid = uuid,
    now = now,
    sleep = sleep,
  }
  for name, new in pairs(namespaces) do ctx[name] = view(new(), "ctx." .. name) end
  return view(ctx, "ctx")
end
