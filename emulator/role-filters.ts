// The OData `$filter` forms Microsoft.Authorization accepts on its lists (the REST specs' RoleAssignmentFilter and
// RoleDefinitionFilter; docs/arm-behavior.md, "Role assignments"): `atScope()`, `principalId eq '{id}'`,
// `assignedTo('{id}')`, `atScope() and assignedTo('{id}')`, `roleName eq '{name}'`, `type eq '{type}'`.
import { roleFilterNotSupported } from "./arm-errors";

/** The value of `{property} eq '{value}'` when the whole filter is that comparison (property name in any casing). */
export function odataEquals(filter: string, property: string): string | undefined {
  const match = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
  if (match === null || match[1].toLowerCase() !== property.toLowerCase()) return undefined;
  return match[2].replace(/''/g, "'");
}

/** What a role assignment list asks for. */
export interface AssignmentFilter {
  /** `atScope()`: only assignments at the scope or above it. */
  atScope: boolean;
  /** `principalId eq` or `assignedTo()`: only this principal's assignments (at, above or below the scope). */
  principalId?: string;
}

/** Parses a role assignment list's `$filter`. @throws ArmFailure 400 for a form ARM does not accept. */
export function parseAssignmentFilter(filter: string | undefined): AssignmentFilter {
  if (filter === undefined || filter.trim() === "") return { atScope: false };
  const clauses = filter.split(/\s+and\s+/i).map((clause) => clause.trim());
  const out: AssignmentFilter = { atScope: false };
  let principalClauses = 0;
  for (const clause of clauses) {
    if (/^atScope\(\s*\)$/i.test(clause)) {
      out.atScope = true;
      continue;
    }
    const assignedTo = /^assignedTo\(\s*'([^']*)'\s*\)$/i.exec(clause);
    const principalId = assignedTo?.[1] ?? odataEquals(clause, "principalId");
    if (principalId === undefined) throw roleFilterNotSupported(filter);
    out.principalId = principalId.toLowerCase();
    principalClauses += 1;
    // "atScope() and principalId eq" cannot be combined (the Azure CLI's role module notes this API limitation);
    // assignedTo() can be.
    if (assignedTo === null && clauses.length > 1) throw roleFilterNotSupported(filter);
  }
  if (principalClauses > 1) throw roleFilterNotSupported(filter);
  return out;
}
