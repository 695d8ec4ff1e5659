// Maps an Isa to its gradient table (grad_table.h). Only call with an ISA for which isa_runnable() is true.
#pragma once
#include "cpu.h"
#include "grad_table.h"

namespace swiglu {

const GradTable& grad_table(Isa isa);

}  // namespace swiglu
