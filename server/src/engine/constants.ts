/**
 * The named constants of the language, exact as float64 holds them: `pi` is Math.PI and `e` is
 * Math.E, the doubles nearest π and e. A file may declare a name of its own that hides one (a
 * `let e`, a fn's parameter `e`): the semantics decide that; this is only the list.
 */
export const CONSTANTS = {
  pi: { value: Math.PI, doc: "π = 3.14159265358979…, the ratio of a circle's circumference to its diameter (the float64 nearest π; PyTorch's `math.pi`)" },
  e: { value: Math.E, doc: "e = 2.71828182845904…, the base of the natural logarithm: `exp(1)` (the float64 nearest e; PyTorch's `math.e`)" },
} as const satisfies Record<string, { value: number; doc: string }>;

export type ConstantName = keyof typeof CONSTANTS;
export const CONSTANT_NAMES = Object.keys(CONSTANTS) as readonly ConstantName[];

/** Whether `name` is one of the named constants. */
export const isConstantName = (name: string): name is ConstantName => Object.hasOwn(CONSTANTS, name);
