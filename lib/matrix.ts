// Matrix ops (matmul, packed SwiGLU gate, FFN): being built under issue 3.
export {};
