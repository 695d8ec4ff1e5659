// swiglu: SIMD activations and the fused SwiGLU matmul-gate for Node.js.
export * from './activations';
export * from './glu';
export * from './backward';
export * from './runtime';
export * from './matrix';
export * from './matrix-backward';
export * as reference from './reference';
export * from './safetensors';
export * from './convert';
export * from './results';
