import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '@correio/api';
import { printServedSchema, SCHEMA_FILE } from '../../packages/api/src/schema/print.ts';

const CONTRACT = fileURLToPath(new URL('../../../shared/spec/api-contract.graphql', import.meta.url));

describe('served schema', () => {
  it('matches the committed packages/api/schema.graphql (run `pnpm schema:print` after changing the API)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printServedSchema());
  });

  it('describes every type, field, argument and enum value for GraphiQL users', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});

// The contract lives in the team folder, which a user's clone does not have; CI always has it.
describe.runIf(existsSync(CONTRACT))('API contract (../shared/spec/api-contract.graphql)', () => {
  it('is served in full: every type, field, argument and enum value, with the same types', () => {
    const contract = buildSchema(readFileSync(CONTRACT, 'utf8'));
    expect(contractDifferences(contract, schema)).toEqual([]);
  });
});

/** Everything the contract promises that the served schema lacks or types differently. */
function contractDifferences(contract: GraphQLSchema, served: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const expected of Object.values(contract.getTypeMap())) {
    if (expected.name.startsWith('__')) continue;
    const actual = served.getType(expected.name);
    if (!actual) {
      problems.push(`missing type ${expected.name}`);
      continue;
    }
    if (kindOf(actual) !== kindOf(expected)) {
      problems.push(`${expected.name} is ${kindOf(actual)}, contract says ${kindOf(expected)}`);
      continue;
    }
    if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
      const fields = actual.getFields();
      for (const f of Object.values(expected.getFields())) {
        const got = fields[f.name];
        if (!got) {
          problems.push(`missing field ${expected.name}.${f.name}`);
          continue;
        }
        if (String(got.type) !== String(f.type)) problems.push(`${expected.name}.${f.name} is ${got.type}, contract says ${f.type}`);
        for (const arg of f.args) {
          const gotArg = got.args.find((a) => a.name === arg.name);
          if (!gotArg) problems.push(`missing argument ${expected.name}.${f.name}(${arg.name})`);
          else if (String(gotArg.type) !== String(arg.type)) problems.push(`${expected.name}.${f.name}(${arg.name}) is ${gotArg.type}, contract says ${arg.type}`);
        }
        for (const extra of got.args)
          if (!f.args.some((a) => a.name === extra.name) && isNonNullType(extra.type))
            problems.push(`${expected.name}.${f.name}(${extra.name}) is a new required argument: existing clients would break`);
      }
    }
    if (isInputObjectType(expected) && isInputObjectType(actual)) {
      const fields = actual.getFields();
      for (const f of Object.values(expected.getFields())) {
        const got = fields[f.name];
        if (!got) problems.push(`missing input field ${expected.name}.${f.name}`);
        else if (String(got.type) !== String(f.type)) problems.push(`${expected.name}.${f.name} is ${got.type}, contract says ${f.type}`);
      }
      for (const extra of Object.values(fields))
        if (!expected.getFields()[extra.name] && isNonNullType(extra.type)) problems.push(`${expected.name}.${extra.name} is a new required input field`);
    }
    if (isEnumType(expected) && isEnumType(actual)) {
      for (const v of expected.getValues()) if (!actual.getValue(v.name)) problems.push(`missing enum value ${expected.name}.${v.name}`);
    }
  }
  return problems;
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isInputObjectType(type)) return 'input';
  if (isEnumType(type)) return 'enum';
  if (isUnionType(type)) return 'union';
  if (isScalarType(type)) return 'scalar';
  return 'unknown';
}
