// When a page shows an error summary, focus moves to it so that a screen reader announces
// the problems at once and a keyboard user starts from the list of links to the fields.
// Pages work without this script; it only saves a step. It waits for `load`: scrolling
// to the address's fragment (#apply-heading) happens after the document is parsed and
// would take the focus away again.
window.addEventListener('load', () => {
  const summary = document.querySelector('.usa-alert--error');
  if (!summary) return;
  summary.setAttribute('tabindex', '-1');
  summary.focus();
});
