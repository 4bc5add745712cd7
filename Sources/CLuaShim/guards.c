// The standard library as the sandbox gets it: the pattern functions replaced by guarded ones
// (pattern.c), every function whose one call can take long (proportional to a string or a
// table, or a garbage collection, or compiling a chunk) made to check the call's limits when it
// returns, and coroutine.close refusing a coroutine a stop left without hooks.
#include "CLuaShim.h"
#include "internal.h"

// The library function in upvalue 1 (a C function without upvalues of its own), then a look at
// the call's limits: the deadline holds between two such calls, however few Lua instructions
// separate them, and a long loop of them still pauses at its time slice.
static int erasure_guarded(lua_State *L) {
  lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
  int n = f(L);
  erasure_checkpoint(L);
  return n;
}

static void erasure_guard(lua_State *L, const char *lib, const char *const *names) {
  lua_getglobal(L, lib);
  int t = lua_gettop(L);
  for (; *names != NULL; names++) {
    if (lua_getfield(L, t, *names) != LUA_TFUNCTION || !lua_iscfunction(L, -1)) {
      lua_pop(L, 1);
    } else if (lua_getupvalue(L, -1, 1) != NULL) {
      lua_pop(L, 2);  // it has upvalues: erasure_guarded could not call it in its own frame
    } else {
      lua_pushcclosure(L, erasure_guarded, 1);
      lua_setfield(L, t, *names);
    }
  }
  lua_pop(L, 1);
}

// A coroutine the count hook stopped runs no more Lua: hooks are off in it for good, so its
// to-be-closed variables would run unchecked (a looping __close would never end).
static int erasure_coroutine_close(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  if (co != NULL && erasure_thread_stopped(co)) {
    erasure_checkpoint(L);  // the call that was stopped stops here
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "cannot close a coroutine stopped by a limit: its to-be-closed variables do not run");
    return 2;
  }
  int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
  erasure_checkpoint(L);
  return n;
}

void erasure_install_guards(lua_State *L) {
  static const char *const base[] = {"collectgarbage", "load", NULL};
  static const char *const string[] = {"byte", "char", "format", "lower", "pack", "packsize", "rep",
                                       "reverse", "sub", "unpack", "upper", NULL};
  static const char *const table[] = {"concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL};
  static const char *const utf8[] = {"char", "codepoint", "len", "offset", NULL};
  erasure_guard(L, "_G", base);
  erasure_guard(L, "string", string);
  erasure_guard(L, "table", table);
  erasure_guard(L, "utf8", utf8);

  lua_getglobal(L, "string");
  int s = lua_gettop(L);
  // Lua's own, kept for the benchmark that compares the guarded ones with them
  lua_createtable(L, 0, 4);
  static const char *const patterns[] = {"find", "match", "gmatch", "gsub", NULL};
  for (const char *const *p = patterns; *p != NULL; p++) {
    lua_getfield(L, s, *p);
    lua_setfield(L, -2, *p);
  }
  lua_setfield(L, LUA_REGISTRYINDEX, "erasure.lua_patterns");
  erasure_install_patterns(L, s);
  lua_pop(L, 1);

  lua_getglobal(L, "coroutine");
  lua_getfield(L, -1, "close");
  lua_pushcclosure(L, erasure_coroutine_close, 1);
  lua_setfield(L, -2, "close");
  lua_pop(L, 1);
}

void erasure_push_lua_patterns(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "erasure.lua_patterns");
}
