#pragma once
// C side of the Swift <-> Lua bridge.
// - static inline wrappers for the Lua API macros Swift cannot import;
// - the ONE host-call trampoline: the only code that calls lua_error / lua_yieldk on
//   behalf of Swift host functions, after the Swift frames are gone;
// - the per-call limits: the capped allocator, the count hook (instruction budget, deadline,
//   cancellation, time slices), the guarded pattern functions and standard library.
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stdint.h>
#include <stddef.h>

// ---- per-call limits, shared with the hook -------------------------------------------

#define ERASURE_KILL_NONE 0
#define ERASURE_KILL_BUDGET 1
#define ERASURE_KILL_DEADLINE 2
#define ERASURE_KILL_CANCELLED 3
#define ERASURE_KILL_MEMORY 4
#define ERASURE_KILL_HELD 5      // ran past its time slice where it could not pause, for too long

typedef struct erasure_call {
  int64_t budget;        // instructions left; < 0 = unlimited
  uint64_t deadline_ns;  // CLOCK_MONOTONIC nanoseconds; 0 = none
  uint64_t slice_end_ns; // the driver lets the call run until then, then the hook pauses it; 0 = never
  uint64_t hold_ns;      // how long past slice_end_ns a call that cannot pause may go on
  int cancelled;         // set (atomically) from any thread
  int killed;            // ERASURE_KILL_*; once set the call cannot continue
} erasure_call;

// One per lua_State; it is the allocator's `ud`, so every thread of the state reaches it
// through lua_getallocf.
typedef struct erasure_state {
  size_t used;           // bytes currently allocated by Lua
  size_t peak;
  size_t limit;          // 0 = unlimited
  int enforce;           // the limit applies only while Lua code runs (not while Swift pushes)
  int consecutive_failures;
  erasure_call *active;  // the call whose coroutine is being resumed right now
  int host_push_failed;  // a sync host function could not push a value (error kept by Swift)
} erasure_state;

#define ERASURE_HOOK_COUNT 1000

lua_State *erasure_newstate(erasure_state *st);
void erasure_sethook(lua_State *L, int count);
uint64_t erasure_now_ns(void);
void erasure_call_cancel(erasure_call *c);
int erasure_call_cancelled(erasure_call *c);
const char *erasure_kill_message(int kind);

// Replaces the pattern functions of `string` by guarded ones (a step budget), makes the
// standard functions whose one call can run long check the call's limits when they return,
// and guards coroutine.close. Run once, on the libraries just opened, before the prelude.
void erasure_install_guards(lua_State *L);

// True (and cleared) when the count hook paused `co` to let other calls run: the driver then
// resumes it later with no values.
int erasure_take_paused(lua_State *co);
// The same for Lua (`paused(co)`), given to the prelude: a pause inside a script's coroutine
// is passed up to the driver.
int erasure_lua_paused(lua_State *L);

// Benchmark helper: pushes a table with Lua's own find, match, gmatch and gsub.
void erasure_push_lua_patterns(lua_State *L);

// ---- host calls ------------------------------------------------------------------------

// Return values of the Swift dispatcher.
#define ERASURE_ERR   (-1)   // an error value was pushed: the trampoline raises it
#define ERASURE_YIELD (-2)   // an async operation was stored: the trampoline yields

// Swift's dispatcher: (L, unused (NULL), function) -> n results / ERASURE_ERR / ERASURE_YIELD.
// `function` is the unretained Swift object of the host function (upvalue 2 of the closure).
typedef int (*erasure_dispatch_fn)(lua_State *L, void *core, void *function);
void erasure_set_dispatcher(erasure_dispatch_fn f);

// Pushes the trampoline as a C closure with upvalues (core, function, qualified name).
void erasure_push_host_function(lua_State *L, void *core, void *function, const char *name);

// The lightuserdata a host yield carries (first of the two yielded values; second is the name).
void *erasure_host_sentinel(void);
// The lightuserdata used as json.null.
void *erasure_null_sentinel(void);

// A no-op C function (the benchmark's floor).
int erasure_noop_cfunction(lua_State *L);

// ---- macro wrappers ----------------------------------------------------------------------

static inline int erasure_pcall(lua_State *L, int n, int r, int f) { return lua_pcall(L, n, r, f); }
static inline void erasure_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void erasure_newtable(lua_State *L) { lua_newtable(L); }
static inline int erasure_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int erasure_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int erasure_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int erasure_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline const char *erasure_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline void erasure_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void erasure_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void erasure_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline void erasure_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline lua_State *erasure_tothread(lua_State *L, int i) { return lua_tothread(L, i); }
static inline int erasure_loadbuffer(lua_State *L, const char *b, size_t sz, const char *name, const char *mode) {
  return luaL_loadbufferx(L, b, sz, name, mode);
}
