// The one host-call trampoline, and the sentinels Swift and the prelude share.
#include "CLuaShim.h"

static erasure_dispatch_fn g_dispatch = NULL;
static char g_host_sentinel;
static char g_null_sentinel;

void erasure_set_dispatcher(erasure_dispatch_fn f) { g_dispatch = f; }
void *erasure_host_sentinel(void) { return &g_host_sentinel; }
void *erasure_null_sentinel(void) { return &g_null_sentinel; }
int erasure_noop_cfunction(lua_State *L) { (void)L; return 0; }

// ---- the trampoline ---------------------------------------------------------------------------

static void erasure_raise(lua_State *L) {
  if (lua_type(L, -1) == LUA_TSTRING) {  // like error(msg): prefix the caller's position
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  lua_error(L);
}

// Resumed by the driver with (true, results...) or (false, error).
static int erasure_continue(lua_State *L, int status, lua_KContext ctx) {
  (void)status; (void)ctx;
  int top = lua_gettop(L);
  if (top >= 1 && lua_toboolean(L, 1)) return top - 1;
  if (top < 2) lua_pushstring(L, "async host function failed");
  else lua_settop(L, 2);
  erasure_raise(L);
  return 0;
}

static int erasure_trampoline(lua_State *L) {
  int n = g_dispatch(L, NULL, lua_touserdata(L, lua_upvalueindex(2)));
  if (n >= 0) return n;
  if (n == ERASURE_YIELD) {
    lua_settop(L, 0);
    lua_pushlightuserdata(L, &g_host_sentinel);
    lua_pushvalue(L, lua_upvalueindex(3));
    return lua_yieldk(L, 2, 0, erasure_continue);
  }
  erasure_raise(L);
  return 0;
}

void erasure_push_host_function(lua_State *L, void *core, void *function, const char *name) {
  lua_pushlightuserdata(L, core);
  lua_pushlightuserdata(L, function);
  lua_pushstring(L, name);
  lua_pushcclosure(L, erasure_trampoline, 3);
}
