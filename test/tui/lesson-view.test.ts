// The lesson screen's view of a lesson, from the lesson data.
import test from 'ava';

test('no lesson shows its introduction twice on its first step', async (t) => {
  const { lessonIds, loadLesson } = await import('../../source/lesson/load.js');
  const { toLessonView } = await import('../../source/tui/services/lesson-view.js');
  for (const id of await lessonIds()) {
    const lesson = await loadLesson(id);
    if (!lesson.intro) continue;
    const view = toLessonView(lesson, [], { workDir: '/tmp/w', namespace: lesson.namespace, commands: () => [] });
    const first = lesson.intro.trim().split('\n')[0]!;
    t.is(view.steps[0]!.text!.split(first).length - 1, 1, `${id}: "${first}" appears once`);
  }
});

test('the manifest panel shows the manifest as it will be applied: no ${NAMESPACE} left, the namespace filled', async (t) => {
  const { lessonIds, loadLesson } = await import('../../source/lesson/load.js');
  const { toLessonView } = await import('../../source/tui/services/lesson-view.js');
  let manifests = 0;
  for (const id of await lessonIds()) {
    const lesson = await loadLesson(id);
    const view = toLessonView(lesson, [], { workDir: '/tmp/w', namespace: 'learner-7', commands: () => [] });
    for (const step of view.steps.filter((s) => s.yaml)) {
      manifests++;
      t.notRegex(step.yaml!, /\$\{(NAMESPACE|WORK_DIR|GATEWAY_NAME)\}/, `${id}/${step.id}`);
      if (lesson.steps.find((s) => s.id === step.id && 'yaml' in s && s.yaml?.includes('${NAMESPACE}'))) t.regex(step.yaml!, /: learner-7$/m, `${id}/${step.id}`);
    }
  }
  t.true(manifests > 3);
});
