/**
 * The TypeScript mirror of the run and event models agrees with the Python ones, key for key.
 *
 * `fixtures/run-contract.json` is written from `jupyterlab_dlcoach/core/runs.py` and checked by
 * `tests/test_run_contract.py`; here `src/models.ts` is read with the TypeScript compiler (interfaces
 * do not exist at run time) and each interface's keys, and which are optional, are compared with it.
 */
/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

import { DLCoach } from '../models';

interface IContract {
  states: string[];
  active_states: string[];
  event_types: string[];
  models: { [name: string]: { [key: string]: boolean } };
}

const contract: IContract = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'run-contract.json'), 'utf8')
);

/** The Python model each TypeScript interface mirrors. */
const MIRRORS: { [python: string]: string } = {
  Run: 'IRun',
  Progress: 'IProgress',
  RunError: 'IRunError',
  Result: 'IRunResult',
  Settings: 'ITrainSettings',
  BatchEvent: 'IBatchEvent',
  EpochEvent: 'IEpochEvent',
  WarningEvent: 'IWarningEvent',
  SettingsEvent: 'ISettingsEvent',
  StateEvent: 'IStateEvent'
};

/** Every interface of models.ts: its own keys (true when required) and the interfaces it extends. */
function readInterfaces(): Map<
  string,
  { keys: { [key: string]: boolean }; bases: string[] }
> {
  const file = path.join(__dirname, '..', 'models.ts');
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.ES2020
  );
  const found = new Map<
    string,
    { keys: { [key: string]: boolean }; bases: string[] }
  >();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node)) {
      const keys: { [key: string]: boolean } = {};
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && member.name) {
          keys[member.name.getText(source)] = !member.questionToken;
        }
      }
      const bases: string[] = [];
      for (const clause of node.heritageClauses ?? []) {
        for (const base of clause.types) {
          bases.push(base.expression.getText(source));
        }
      }
      found.set(node.name.text, { keys, bases });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function keysOf(
  name: string,
  all: ReturnType<typeof readInterfaces>
): { [key: string]: boolean } {
  const entry = all.get(name);
  if (!entry) {
    throw new Error(`src/models.ts has no interface ${name}`);
  }
  return Object.assign(
    {},
    ...entry.bases.map(base => keysOf(base, all)),
    entry.keys
  );
}

describe('the run contract', () => {
  const interfaces = readInterfaces();

  it.each(Object.keys(MIRRORS))(
    '%s has the same keys, optional alike',
    python => {
      const sorted = (o: { [key: string]: boolean }) =>
        Object.keys(o)
          .sort()
          .map(key => `${key}${o[key] ? '' : '?'}`);
      expect(sorted(keysOf(MIRRORS[python], interfaces))).toEqual(
        sorted(contract.models[python])
      );
    }
  );

  it('mirrors every model the Python side declares', () => {
    expect(Object.keys(MIRRORS).sort()).toEqual(
      Object.keys(contract.models).sort()
    );
  });

  it('knows the same states, and the same active ones', () => {
    expect([...DLCoach.RUN_STATES]).toEqual(contract.states);
    expect([...DLCoach.ACTIVE_STATES]).toEqual(contract.active_states);
  });
});
