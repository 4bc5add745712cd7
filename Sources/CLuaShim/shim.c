#include "CLuaShim.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static erasure_dispatch_fn g_dispatch = NULL;
static char g_host_sentinel;
static char g_null_sentinel;

void erasure_set_dispatcher(erasure_dispatch_fn f) { g_dispatch = f; }
void *erasure_host_sentinel(void) { return &g_host_sentinel; }
void *erasure_null_sentinel(void) { return &g_null_sentinel; }
int erasure_noop_cfunction(lua_State *L) { (void)L; return 0; }

uint64_t erasure_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void erasure_call_cancel(erasure_call *c) { __atomic_store_n(&c->cancelled, 1, __ATOMIC_RELEASE); }
int erasure_call_cancelled(erasure_call *c) { return __atomic_load_n(&c->cancelled, __ATOMIC_ACQUIRE); }

const char *erasure_kill_message(int kind) {
  switch (kind) {
    case ERASURE_KILL_BUDGET: return "instruction budget exceeded";
    case ERASURE_KILL_DEADLINE: return "deadline exceeded";
    case ERASURE_KILL_CANCELLED: return "cancelled";
    case ERASURE_KILL_MEMORY: return "memory limit exceeded";
    default: return "stopped";
  }
}

// ---- allocator -----------------------------------------------------------------------------

static void *erasure_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  erasure_state *st = (erasure_state *)ud;
  if (ptr == NULL) osize = 0;  // osize then encodes the object type
  if (nsize == 0) {
    free(ptr);
    st->used -= osize;
    return NULL;
  }
  if (nsize > osize && st->limit != 0 && st->enforce && st->used + (nsize - osize) > st->limit) {
    // Lua answers a failed allocation with an emergency full GC and one retry; a second
    // consecutive failure is a real out-of-memory: the call is then killed, so that a
    // pcall inside the script cannot swallow it.
    if (++st->consecutive_failures >= 2 && st->active != NULL && st->active->killed == ERASURE_KILL_NONE)
      st->active->killed = ERASURE_KILL_MEMORY;
    return NULL;
  }
  void *np = realloc(ptr, nsize);
  if (np == NULL) return NULL;
  st->used = st->used - osize + nsize;
  if (st->used > st->peak) st->peak = st->used;
  if (nsize > osize) st->consecutive_failures = 0;
  return np;
}

// ---- count hook ------------------------------------------------------------------------------

static void erasure_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  erasure_state *st;
  lua_getallocf(L, (void **)&st);
  erasure_call *c = st->active;
  if (c == NULL) return;
  if (c->killed == ERASURE_KILL_NONE) {
    if (c->budget >= 0) {
      c->budget -= ERASURE_HOOK_COUNT;
      if (c->budget < 0) c->killed = ERASURE_KILL_BUDGET;
    }
    if (c->killed == ERASURE_KILL_NONE && c->deadline_ns != 0 && erasure_now_ns() > c->deadline_ns)
      c->killed = ERASURE_KILL_DEADLINE;
    if (c->killed == ERASURE_KILL_NONE && erasure_call_cancelled(c))
      c->killed = ERASURE_KILL_CANCELLED;
    if (c->killed == ERASURE_KILL_NONE) return;
  }
  // Fire again on the very next instruction: a pcall in the script cannot swallow the stop.
  lua_sethook(L, erasure_hook, LUA_MASKCOUNT, 1);
  int enforce = st->enforce;
  st->enforce = 0;  // room for the message even at the memory cap
  luaL_where(L, 0);
  lua_pushstring(L, erasure_kill_message(c->killed));
  lua_concat(L, 2);
  st->enforce = enforce;
  lua_error(L);
}

void erasure_sethook(lua_State *L, int count) {
  lua_sethook(L, erasure_hook, LUA_MASKCOUNT, count < 1 ? 1 : count);
}

lua_State *erasure_newstate(erasure_state *st) {
  lua_State *L = lua_newstate(erasure_alloc, st);
  if (L != NULL) erasure_sethook(L, ERASURE_HOOK_COUNT);
  return L;
}

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
