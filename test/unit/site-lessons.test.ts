// The lessons' single source stays consistent without an engine: every lesson.yaml is valid, its
// committed transcript was recorded from the same steps and still meets their expectations, and the
// lesson's page shows every step and every file it names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles, LESSONS_DIR, lessonSlugs, loadLesson, problemsOf, readTranscript, savedValue, substitute } from '../../examples/lessons/lessons.ts';

const PAGES = join(LESSONS_DIR, '../../site/src/content/docs/lessons');
const slugs = lessonSlugs();

it('has the 15 lessons of issue 5 and the 2048 save game of issue 10, each with a page', () => {
  expect(slugs).toHaveLength(16);
  expect(slugs.map((s) => s.slice(0, 2))).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1).padStart(2, '0')));
  expect(readdirSync(PAGES).sort()).toEqual(slugs.map((s) => `${s}.mdx`));
});

describe.each(slugs)('%s', (slug) => {
  const lesson = loadLesson(slug);
  const transcript = readTranscript(slug);
  const page = readFileSync(join(PAGES, `${slug}.mdx`), 'utf8');

  it('has a transcript recorded from these steps, meeting their expectations', () => {
    expect(transcript, 'run: node scripts/run-examples.ts').toBeDefined();
    expect(transcript!.lesson).toBe(slug);
    expect(transcript!.steps.map((s) => s.id)).toEqual(lesson.steps.map((s) => s.id));
    const vars: Record<string, string> = {};
    lesson.steps.forEach((step, i) => {
      const recorded = transcript!.steps[i]!;
      expect(recorded.command, step.id).toBe(substitute(step.run, vars));
      expect(problemsOf(step, recorded, vars), step.id).toEqual([]);
      const value = savedValue(step, recorded.output);
      if (step.save) vars[step.save] = value!;
    });
  });

  it('labels what it names after the lesson (l<NN>-…) so runs never collide', () => {
    const prefix = `l${slug.slice(0, 2)}`;
    for (const step of lesson.steps) {
      for (const [, name] of step.run.matchAll(/--name[ =](\S+)/g)) expect(name!.startsWith(`${prefix}-`), `${step.id}: ${name}`).toBe(true);
    }
  });

  it('lists every base image its steps name, for the runner to pull first (transcripts then never show a download)', () => {
    const named = new Set(
      lesson.steps.flatMap((step) => [...step.run.matchAll(/(?<![\w/.-])(?:busybox|debian|alpine|ubuntu|fedora):[\w.-]+/g)].map((m) => m[0])),
    );
    expect(
      [...named].filter((image) => !lesson.images.includes(image)),
      'add them to images: in lesson.yaml',
    ).toEqual([]);
  });

  it('shows every step that is not hidden, and only steps that exist', () => {
    const shown = [...page.matchAll(/<Run lesson=\{lesson\} steps="([^"]+)"/g)].flatMap((m) => m[1]!.split(/[\s,]+/));
    const ids = lesson.steps.map((s) => s.id);
    expect(shown.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.filter((id) => !shown.includes(id) && !lesson.steps.find((s) => s.id === id)!.hidden)).toEqual([]);
    expect(page).toContain(`export const lesson = '${slug}';`);
  });

  it('includes only files that exist in the example', () => {
    const files = exampleFiles(slug);
    for (const [, file] of page.matchAll(/<ExampleFile lesson=\{lesson\} file="([^"]+)"/g)) {
      expect(files, file).toContain(file);
      expect(existsSync(join(LESSONS_DIR, slug, file!))).toBe(true);
    }
  });
});
