// Maps an Isa to its kernel tables. Only call with an ISA for which isa_runnable() is true.
#pragma once
#include "cpu.h"
#include "op_table.h"

namespace swiglu {

const OpTable& op_table(Isa isa);

// How an elementwise call writes its output: Store::kStream once the call's arrays (inputs and output)
// together reach the last-level cache, where the output could not stay cached for the next op anyway;
// Store::kCache below. (Defined out of line: see native/simd/README.md on inline code and ISA flags.)
Store store_for(size_t working_set_bytes);

}  // namespace swiglu
