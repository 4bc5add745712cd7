#pragma once
// What the C files of the shim share and Swift does not see.
#include "CLuaShim.h"

// Per-thread flags (in the thread's extra space).
#define ERASURE_THREAD_STOPPED 1u  // the count hook raised a stop in it: it must never run again
#define ERASURE_THREAD_PAUSED 2u   // the count hook yielded it to let the other calls run

int erasure_thread_stopped(lua_State *L);

// Called by the guarded C functions between and after units of work: raises the stop of the
// active call when it reached its deadline, was cancelled or held the state too long, and asks
// for a pause at the next instruction when its time slice is over. Only from a C function
// called by Lua (it may raise).
void erasure_checkpoint(lua_State *L);

// Sets the guarded find, match, gmatch and gsub in the table at `string_table`.
void erasure_install_patterns(lua_State *L, int string_table);
