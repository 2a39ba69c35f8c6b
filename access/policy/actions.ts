// A rule's `actions`: which operations it is about. An action class covers the operations the table
// gives that class; `*` covers every operation the table knows; an operation's name covers exactly it
// — the only way to allow an operation the table does not know.
import { ACTION_CLASSES, OPERATIONS, type ActionClass } from '../../core/s3/actions.ts';

export type ActionMatcher = (operation: string) => boolean;

export function compileActions(actions: readonly string[]): ActionMatcher {
  const all = actions.includes('*');
  const classes = new Set(actions.filter((a): a is ActionClass => (ACTION_CLASSES as readonly string[]).includes(a)));
  const names = new Set(actions);
  return (operation) => {
    if (names.has(operation)) return true;
    const known = OPERATIONS[operation];
    return known !== undefined && (all || classes.has(known.action));
  };
}
