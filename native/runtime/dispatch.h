// Maps an Isa to its kernel tables. Only call with an ISA for which isa_runnable() is true.
#pragma once
#include "cpu.h"
#include "op_table.h"

namespace swiglu {

const OpTable& op_table(Isa isa);

}  // namespace swiglu
