// Objects the learner made by hand are not in the lesson's journal (the runner
// journals only what it does), so `cleanup` would leave them. Before a cleanup
// from hands-on mode, the objects the lesson's apply and secret steps define
// that exist now and are not journalled yet are recorded as made by the lesson,
// except those a prerequisite lesson also defines (the setup lab's mock stays).
import { loadLesson } from '../load.js';
import { LessonState, objectKeyText } from '../state.js';
import type { Lesson } from '../types.js';
import { createCheckEnvironment, type CheckOptions } from './index.js';
import { manifestObjects, refOfObject } from './objects.js';
import type { ObjectRef } from '../../cluster/client.js';
import type { CheckEnvironment } from './types.js';

async function definedObjects(env: CheckEnvironment, lesson: Lesson): Promise<{ stepId: string; ref: ObjectRef }[]> {
  const out: { stepId: string; ref: ObjectRef }[] = [];
  for (const step of lesson.steps) {
    if (step.kind === 'apply') for (const o of await manifestObjects(env, step)) out.push({ stepId: step.id, ref: refOfObject(o) });
    if (step.kind === 'secret') {
      for (const s of step.secrets) out.push({ stepId: step.id, ref: { apiVersion: 'v1', kind: 'Secret', name: s.name, namespace: await env.fill(s.namespace ?? '${NAMESPACE}', step.source) } });
    }
  }
  return out;
}

/** Journals hand-made objects of the lesson; returns how many were adopted. */
export async function adoptHandMadeObjects(options: CheckOptions): Promise<number> {
  const env = await createCheckEnvironment(options);
  const state = await LessonState.open(env.lesson.id, options.home);
  const prerequisites = new Set<string>();
  for (const id of env.lesson.prerequisites) {
    const prerequisite = await loadLesson(id, options.root);
    for (const { ref } of await definedObjects(env, prerequisite)) prerequisites.add(objectKeyText(ref));
  }
  let adopted = 0;
  for (const { stepId, ref } of await definedObjects(env, env.lesson)) {
    if (prerequisites.has(objectKeyText(ref)) || state.hasObject(ref)) continue;
    if (!(await env.client.get(ref))) continue;
    await state.recordObject(stepId, ref, false);
    adopted++;
  }
  return adopted;
}
