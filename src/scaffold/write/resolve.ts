// Turns the plan's conflicts (files the user edited since the last run) into three-way merges where
// the base is known: clean merges are applied, overlapping ones stay conflicts with their markers.
import { recoverBase } from './base.ts';
import { mergeFile } from './merge.ts';
import type { Action } from './plan.ts';
import type { State } from './state.ts';

export async function resolveEdits(repo: string, actions: Action[], state: State | undefined): Promise<Action[]> {
  return Promise.all(actions.map(async (a): Promise<Action> => {
    if (a.kind !== 'conflict') return a;
    const base = await recoverBase(repo, a.path, state);
    if (base === undefined) return a;
    const m = await mergeFile(base, a.content, a.current);
    if (!m.clean) return { ...a, merged: m.text };
    if (m.text === a.current) return { kind: 'edited', path: a.path };
    return { kind: 'merge', path: a.path, content: m.text, current: a.current };
  }));
}
