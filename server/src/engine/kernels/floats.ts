/** An arena's memory: float64, or float32 under `precision float32`. */
export type Floats = Float64Array | Float32Array;
