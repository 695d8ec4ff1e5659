// Dense helpers for the training loop. Every matrix product goes through the package's sg.matmul
// (row-major, f32); the few transposes a backward pass needs are made here explicitly.
import * as sg from '../../lib';

/** C[m×n] = A[m×k] · B[k×n]. */
export function mm(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out?: Float32Array): Float32Array {
  return out ? sg.matmul(a, b, { m, k, n, out }) : sg.matmul(a, b, { m, k, n });
}

/** C[m×n] = A[m×k] · Bᵀ with B stored [n×k] (sg.matmul's transB). */
export function mmBT(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out?: Float32Array): Float32Array {
  return out ? sg.matmul(a, b, { m, k, n, transB: true, out }) : sg.matmul(a, b, { m, k, n, transB: true });
}

/** out[cols×rows] = aᵀ for a [rows×cols]. */
export function transpose(a: Float32Array, rows: number, cols: number, out = new Float32Array(rows * cols)): Float32Array {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[r + j];
  }
  return out;
}

/** C[m×n] = Aᵀ · B with A stored [k×m] and B [k×n] (the weight gradient xᵀ·dy): a transpose, then sg.matmul. */
export function mmAT(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out?: Float32Array): Float32Array {
  return mm(transpose(a, k, m), b, m, k, n, out);
}

/** y += x (same length). */
export function addInto(y: Float32Array, x: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] += x[i];
}
