import type { VectorName } from '../engine/activations';

/**
 * What the editor says about the functions over whole vectors (engine `VECTOR_FUNCTIONS`): hovers,
 * completion and signature help all read it here. The scalar built-ins describe themselves in
 * their engine entries (`formula`, `derivativeFormula`, `params`).
 */
export interface VectorDoc {
  /** The hover, as Markdown lines. */
  readonly hover: readonly string[];
  /** One line and its documentation, where completion offers it as a layer's activation. */
  readonly completion?: { readonly detail: string; readonly documentation: string };
  /** Each way to call it (signature help), in the order of their parameter counts. */
  readonly forms: readonly VectorForm[];
}

export interface VectorForm {
  readonly params: readonly { readonly name: string; readonly doc?: string }[];
  /** What this form computes. */
  readonly doc: string;
  /** What its derivative `f'(…)` computes, for the functions that have one. */
  readonly derivativeDoc?: string;
}

const SOFTMAX = '`softmax(z)_k = p_k = e^(z_k) / Σ_j e^(z_j)` (computed after subtracting max z, so it never overflows)';
const SOFTMAX_JACOBIAN = "`softmax'(z)`: the Jacobian `dp_i/dz_j = p_i (δ_ij − p_j)`, i.e. `diag(p) − p pᵀ`";

export const VECTOR_DOCS = {
  softmax: {
    hover: ['**softmax** · activation over the whole layer', '', SOFTMAX, '', SOFTMAX_JACOBIAN],
    completion: { detail: 'p_k = e^(z_k) / Σ_j e^(z_j)', documentation: "`softmax'`: dp_i/dz_j = p_i (δ_ij − p_j)" },
    forms: [{ params: [{ name: 'v', doc: 'a vector' }], doc: '`p_k = e^(z_k) / Σ_j e^(z_j)`', derivativeDoc: 'The Jacobian `dp_i/dz_j = p_i (δ_ij − p_j)`' }],
  },
  sum: {
    hover: ['`sum(v)`: the sum of a vector\'s (or a matrix\'s) elements.'],
    forms: [{ params: [{ name: 'v', doc: 'a vector or a matrix' }], doc: 'The sum of the elements.' }],
  },
  norm: {
    hover: ['`norm(v)`: the Euclidean length `‖v‖ = √(Σ v_i²)` of a vector (of a matrix: of all its elements).', '', 'Inside a `fn` it differentiates: `‖u‖\' = Σ u_i u_i\' / ‖u‖` (not at u = 0).'],
    forms: [{ params: [{ name: 'v', doc: 'a vector or a matrix' }], doc: 'The Euclidean norm √(Σ v_i²).' }],
  },
  max: {
    hover: ['`max(v)`: the largest element; `max(a, b)`: the larger of two values, elementwise.'],
    forms: [
      { params: [{ name: 'v', doc: 'a vector' }], doc: 'The largest element of a vector.' },
      { params: [{ name: 'a' }, { name: 'b' }], doc: 'The larger of two values, elementwise.' },
    ],
  },
  min: {
    hover: ['`min(v)`: the smallest element; `min(a, b)`: the smaller of two values, elementwise.'],
    forms: [
      { params: [{ name: 'v', doc: 'a vector' }], doc: 'The smallest element of a vector.' },
      { params: [{ name: 'a' }, { name: 'b' }], doc: 'The smaller of two values, elementwise.' },
    ],
  },
} satisfies Record<VectorName, VectorDoc>;
