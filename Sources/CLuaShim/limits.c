// The limits of a call: the capped allocator, the count hook, and the checkpoint the guarded
// C functions call. A call ends at its instruction budget, its deadline, its cancellation or its
// memory cap whatever it is doing; and it shares the Lua state with the other calls in time
// slices, so a call that computes for long never holds up the others.
#include "CLuaShim.h"
#include "internal.h"
#include <stdlib.h>
#include <time.h>

uint64_t erasure_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// The same clock at the resolution of the scheduler tick (a few ms; never ahead of the precise
// one) and at a fifth of the cost: enough for deadlines and slices, read by the count hook and
// after every guarded library call.
static uint64_t erasure_coarse_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
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
    case ERASURE_KILL_HELD:
      return "ran too long without a pause (inside a metamethod, __close, sort comparator or gsub "
             "callback, where Lua cannot pause), holding up every other call";
    default: return "stopped";
  }
}

// ---- per-thread flags ------------------------------------------------------------------------
// Kept in the thread's extra space (LUA_EXTRASPACE, one pointer); a new thread copies the main
// thread's, which erasure_newstate clears.

static uintptr_t *erasure_flags(lua_State *L) { return (uintptr_t *)lua_getextraspace(L); }

int erasure_thread_stopped(lua_State *L) { return (*erasure_flags(L) & ERASURE_THREAD_STOPPED) != 0; }

int erasure_take_paused(lua_State *co) {
  uintptr_t *f = erasure_flags(co);
  int paused = (*f & ERASURE_THREAD_PAUSED) != 0;
  *f &= ~(uintptr_t)ERASURE_THREAD_PAUSED;
  return paused;
}

int erasure_lua_paused(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  lua_pushboolean(L, co != NULL && erasure_take_paused(co));
  return 1;
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

// ---- the checks ------------------------------------------------------------------------------

// The limit `c` has reached at `now` (deadline, cancellation, a slice held too long), or NONE.
static int erasure_time_check(erasure_call *c, uint64_t now) {
  if (c->deadline_ns != 0 && now > c->deadline_ns) return ERASURE_KILL_DEADLINE;
  if (erasure_call_cancelled(c)) return ERASURE_KILL_CANCELLED;
  if (c->slice_end_ns != 0 && now > c->slice_end_ns + c->hold_ns) return ERASURE_KILL_HELD;
  return ERASURE_KILL_NONE;
}

static erasure_call *erasure_active(lua_State *L) {
  erasure_state *st;
  lua_getallocf(L, (void **)&st);
  return st->active;
}

static void erasure_hook(lua_State *L, lua_Debug *ar);

// Raises the stop of the active call on L. The hook is set to fire on the very next
// instruction, so that a pcall in the script cannot swallow the stop.
static void erasure_raise_stop(lua_State *L, erasure_call *c) {
  erasure_state *st;
  lua_getallocf(L, (void **)&st);
  lua_sethook(L, erasure_hook, LUA_MASKCOUNT, 1);
  int enforce = st->enforce;
  st->enforce = 0;  // room for the message even at the memory cap
  luaL_where(L, 0);
  lua_pushstring(L, erasure_kill_message(c->killed));
  lua_concat(L, 2);
  st->enforce = enforce;
  lua_error(L);
}

// The count a thread's hook runs at: every ERASURE_HOOK_COUNT instructions, or sooner when
// the budget has fewer left.
static int erasure_hook_count(erasure_call *c) {
  if (c->budget >= 0 && c->budget < ERASURE_HOOK_COUNT) return c->budget < 1 ? 1 : (int)c->budget;
  return ERASURE_HOOK_COUNT;
}

static void erasure_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  erasure_call *c = erasure_active(L);
  if (c == NULL) return;
  if (c->killed == ERASURE_KILL_NONE) {
    int ran = lua_gethookcount(L);
    if (c->budget >= 0) {
      c->budget -= ran;
      if (c->budget < 0) c->killed = ERASURE_KILL_BUDGET;
    }
    if (c->killed == ERASURE_KILL_NONE) {
      uint64_t now = erasure_coarse_now_ns();
      c->killed = erasure_time_check(c, now);
      if (c->killed == ERASURE_KILL_NONE) {
        int count = erasure_hook_count(c);
        if (ran != count) lua_sethook(L, erasure_hook, LUA_MASKCOUNT, count);
        // The slice is over: pause, so the other calls run; the driver resumes this one later.
        // Where Lua cannot yield (a metamethod, __close, a sort comparator), run on: the
        // checks above stop the call if it goes on past its hold.
        if (c->slice_end_ns != 0 && now > c->slice_end_ns && lua_isyieldable(L)) {
          *erasure_flags(L) |= ERASURE_THREAD_PAUSED;
          lua_yield(L, 0);
        }
        return;
      }
    }
  }
  // Lua 5.4.4 leaves hooks off for good in a thread whose hook raised (allowhook stays 0, even
  // after lua_resetthread): mark it, so that nothing runs Lua code in it again.
  *erasure_flags(L) |= ERASURE_THREAD_STOPPED;
  erasure_raise_stop(L, c);
}

void erasure_checkpoint(lua_State *L) {
  erasure_call *c = erasure_active(L);
  if (c == NULL) return;
  if (c->killed == ERASURE_KILL_NONE) {
    uint64_t now = erasure_coarse_now_ns();
    c->killed = erasure_time_check(c, now);
    if (c->killed == ERASURE_KILL_NONE) {
      // pause at the next instruction, where the hook can yield
      if (c->slice_end_ns != 0 && now > c->slice_end_ns) lua_sethook(L, erasure_hook, LUA_MASKCOUNT, 1);
      return;
    }
  }
  erasure_raise_stop(L, c);  // raised by a C function: the thread's hooks stay on
}

void erasure_sethook(lua_State *L, int count) {
  lua_sethook(L, erasure_hook, LUA_MASKCOUNT, count < 1 ? 1 : count);
}

lua_State *erasure_newstate(erasure_state *st) {
  lua_State *L = lua_newstate(erasure_alloc, st);
  if (L == NULL) return NULL;
  *erasure_flags(L) = 0;
  erasure_sethook(L, ERASURE_HOOK_COUNT);
  return L;
}
