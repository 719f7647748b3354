/**
 * The engine's list of built-ins (server/src/engine/activations.ts) in the shapes the tests
 * iterate, so that a new built-in is tested without editing a test.
 */
import { ALIAS_NAMES, ALIASES, SCALAR_FUNCTIONS, VECTOR_FUNCTIONS, activationNames, type AliasName, type ScalarFunction, type ScalarName, type VectorName } from '../../server/src/engine/activations';

/** The other names of a scalar built-in. */
export function aliasesOf(name: ScalarName): AliasName[] {
  return ALIAS_NAMES.filter((a) => ALIASES[a] === name);
}

/** The scalar built-ins that pass `which`, in the engine's order, each followed by its aliases. */
export function scalarNamesWithAliases(which: (f: ScalarFunction) => boolean = () => true): (ScalarName | AliasName)[] {
  return SCALAR_FUNCTIONS.filter(which).flatMap((f) => [f.name, ...aliasesOf(f.name)]);
}

/** The scalar built-ins a dense layer takes, without aliases. */
export const LAYER_ACTIVATIONS: readonly ScalarName[] = SCALAR_FUNCTIONS.filter((f) => f.activation).map((f) => f.name);

/** The vector functions a dense layer takes (softmax). */
export const VECTOR_ACTIVATIONS: readonly VectorName[] = VECTOR_FUNCTIONS.filter((v) => activationNames().includes(v));

/**
 * A test's own list, in its own order (which its seeded random cases depend on), then every name
 * of `all` it does not have (`leaky_relu(0.2)` has `leaky_relu`): the engine's list decides what
 * is covered, the test's what comes first.
 */
export function ownOrderThenRest(own: readonly string[], all: readonly string[]): string[] {
  const has = (name: string) => own.some((o) => o === name || o.startsWith(`${name}(`));
  return [...own, ...all.filter((name) => !has(name))];
}
