import { analyzeSync, type Template } from 'liquidjs';
import type { CampaignTemplates, TemplateProblem } from './liquid-templates';

/**
 * The contact fields a message renders with (the campaigns projection's `variables`, plus the email), besides
 * `attributes.X`. A name outside these would render empty for every recipient, silently, so it is refused at
 * creation (API.md: 400 naming it).
 */
export const CONTACT_VARIABLES = ['email', 'firstName', 'lastName', 'phone', 'locale'] as const;

/** Variables the sender adds to every message: the unsubscribe URL and the planned links (`__link_N`, link-plan). */
const MESSAGE_VARIABLES = new Set(['unsubscribe_url']);
const LINK_VARIABLE = /^__link_\d+$/;

const ALLOWED = new Set<string>(CONTACT_VARIABLES);

function describe(segments: Array<unknown>): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (typeof s === 'string') return i === 0 ? s : /^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `["${s}"]`;
      return `[${String(s)}]`;
    })
    .join('');
}

/** Whether a path (the root and what follows it) names something every message has. */
export function isKnownVariable(segments: Array<unknown>): boolean {
  const [root] = segments;
  if (typeof root !== 'string') return false;
  if (root === 'attributes') return segments.length >= 2;
  return ALLOWED.has(root) || MESSAGE_VARIABLES.has(root) || LINK_VARIABLE.test(root);
}

/**
 * Every variable of the three parts that is neither a contact field nor `attributes.X` (names assigned, captured or
 * looped over in the template itself are its own, not the contact's), once per part and name, with the first line
 * it is on.
 */
export function unknownVariables(templates: CampaignTemplates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const parts: Array<[TemplateProblem['field'], Template[] | null]> = [
    ['subject', templates.subject],
    ['html', templates.html],
    ['text', templates.text],
  ];
  for (const [field, template] of parts) {
    if (!template) continue;
    const seen = new Set<string>();
    // The sandbox has no partials (an include is refused by the dry render), so none is looked up here.
    let globals;
    try {
      globals = analyzeSync(template, { partials: false }).globals;
    } catch (error) {
      problems.push({
        field,
        line: null,
        reason: `the template's variables cannot be read: ${(error as Error).message}`,
      });
      continue;
    }
    for (const uses of Object.values(globals)) {
      for (const use of uses) {
        const segments = use.segments as Array<unknown>;
        if (isKnownVariable(segments)) continue;
        const name = describe(segments);
        if (seen.has(name)) continue;
        seen.add(name);
        problems.push({
          field,
          line: use.location.row,
          reason:
            `unknown template variable "${name}" on line ${use.location.row}: ` +
            `use a contact field (${CONTACT_VARIABLES.join(', ')}) or attributes.<name>`,
        });
      }
    }
  }
  return problems;
}
