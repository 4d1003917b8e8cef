// A test reporter that prints nothing while the tests run and, at the end, each failure with
// its file, line and error: the TAP report puts a failed hook's error in the middle of a long
// run's output, where a log cut to its head and tail loses it. scripts/run-tests.mjs adds it
// beside the TAP report when the output is not a terminal (the spec reporter, on a terminal,
// already ends with its failures).

/** The error a person needs: a hook's or a cancelled test's own cause, not its wrapper. */
function reason(error) {
  let e = error;
  while (e?.cause && (e.code === 'ERR_TEST_FAILURE' || e.failureType)) e = e.cause;
  if (!e) return 'no error given';
  const text = e.stack ?? (typeof e.message === 'string' ? e.message : String(e));
  return text.split('\n').slice(0, 12).join('\n');
}

export default async function* failures(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { data } = event;
    // A test cancelled because its parent failed says nothing of its own: the parent is listed.
    if (data.details?.error?.failureType === 'cancelledByParent') continue;
    failed.push(data);
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} failure(s), with their errors:\n`;
  for (const data of failed) {
    const where = data.file ? `${data.file}:${data.line ?? '?'}` : '(no file)';
    const kind = data.details?.error?.failureType ?? 'failed';
    yield `\n## ${data.name} (${kind}) at ${where}\n${reason(data.details?.error)}\n`;
  }
}
