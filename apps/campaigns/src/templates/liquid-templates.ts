import { Liquid, type Template } from 'liquidjs';

/**
 * Campaign templates in Liquid, sandboxed (R-S1): no file system (includes and layouts resolve against an empty
 * in-memory set), only own properties of the variables, bounded parse size and memory, and a render time budget
 * per message (renderTemplates). A missing
 * variable renders empty. HTML output escapes every variable by default (a contact's name cannot inject markup).
 */
const LIMITS = { parseLimit: 1_000_000, memoryLimit: 20_000_000 };

const sandbox = {
  templates: {},
  ownPropertyOnly: true,
  strictVariables: false,
  strictFilters: true,
  ...LIMITS,
};

const htmlEngine = new Liquid({ ...sandbox, outputEscape: 'escape' });
const textEngine = new Liquid({ ...sandbox });

/** Largest rendered part accepted; a template that renders more is refused at send time (R-S1). */
export const MAX_RENDERED_BYTES = 2 * 1024 * 1024;

export interface TemplateProblem {
  field: 'subject' | 'html' | 'text';
  line: number | null;
  reason: string;
}

export interface CampaignTemplates {
  subject: Template[];
  html: Template[];
  text: Template[] | null;
}

function position(error: unknown): number | null {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  return token?.getPosition ? token.getPosition()[0] : null;
}

/** Parses the three parts; every syntax error is returned with its part and line, to be answered as a 400. */
export function compileTemplates(source: {
  subject: string;
  html: string;
  text?: string | null;
}): CampaignTemplates | TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const parse = (field: TemplateProblem['field'], engine: Liquid, text: string): Template[] => {
    try {
      return engine.parse(text);
    } catch (error) {
      const line = position(error);
      const message = (error as Error).message.split(', line:')[0];
      problems.push({
        field,
        line,
        reason: line ? `Liquid syntax error on line ${line}: ${message}` : `Liquid syntax error: ${message}`,
      });
      return [];
    }
  };
  const compiled = {
    subject: parse('subject', textEngine, source.subject),
    html: parse('html', htmlEngine, source.html),
    text: source.text ? parse('text', textEngine, source.text) : null,
  };
  return problems.length ? problems : compiled;
}

export function isTemplateProblems(value: CampaignTemplates | TemplateProblem[]): value is TemplateProblem[] {
  return Array.isArray(value);
}

export interface RenderedParts {
  subject: string;
  html: string;
  text: string | null;
}

/**
 * Render time one message may take, all its parts together (R-X6): the event loop is the process's, so a runaway
 * template (nested loops) must give it back quickly to the other tenants' requests. Typical messages render in
 * well under 1 ms; the budget is two orders of magnitude above that.
 */
export const MESSAGE_RENDER_BUDGET_MS = 100;

/** A template that needed more than the message's render budget (time or memory): it is the campaign's fault. */
export class RenderBudgetExceeded extends Error {
  constructor(readonly field: TemplateProblem['field']) {
    super(`the ${field} template exceeds the render budget of ${MESSAGE_RENDER_BUDGET_MS} ms a message`);
  }
}

function isLimitError(error: unknown): boolean {
  return /limit exceeded/.test(String((error as Error)?.message ?? ''));
}

/**
 * Renders one message; throws RenderBudgetExceeded when the parts together outrun the message's budget (or
 * memory), and an Error when a part exceeds the size bound. The templates render synchronously (the sandbox has
 * no file system, so no tag waits for anything): Liquid's render limit is a deadline on the clock, checked as it
 * renders, and an asynchronous render interleaved with dozens of others would spend its budget waiting for them.
 */
export async function renderTemplates(
  templates: CampaignTemplates,
  variables: Record<string, unknown>,
  budgetMs = MESSAGE_RENDER_BUDGET_MS,
): Promise<RenderedParts> {
  const deadline = performance.now() + budgetMs;
  const render = (field: TemplateProblem['field'], engine: Liquid, parts: Template[]): string => {
    const renderLimit = Math.max(1, deadline - performance.now());
    let out: unknown;
    try {
      out = engine.renderSync(parts, variables, { renderLimit });
    } catch (error) {
      if (isLimitError(error)) throw new RenderBudgetExceeded(field);
      throw error;
    }
    if (performance.now() > deadline) throw new RenderBudgetExceeded(field);
    const text = String(out ?? '');
    if (Buffer.byteLength(text) > MAX_RENDERED_BYTES) throw new Error('a rendered part exceeds the size limit');
    return text;
  };
  const subject = render('subject', textEngine, templates.subject);
  const html = render('html', htmlEngine, templates.html);
  const text = templates.text ? render('text', textEngine, templates.text) : null;
  return { subject: subject.replace(/[\r\n]+/g, ' ').trim(), html, text };
}

/** What a contact looks like to a template at creation's dry render: every field set, no attributes. */
const SAMPLE_VARIABLES: Record<string, unknown> = {
  email: 'ada.lovelace@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  phone: '+15550100',
  locale: 'en',
  attributes: {},
  unsubscribe_url: 'https://links.example/u/sample',
};

/**
 * R-X6: a dry render at creation, with a sample contact: a template that already outruns the message budget
 * (or renders past the size bound) is a 400 naming its part, before any message is sent.
 */
export async function dryRender(templates: CampaignTemplates): Promise<TemplateProblem[]> {
  try {
    await renderTemplates(templates, SAMPLE_VARIABLES);
    return [];
  } catch (error) {
    if (error instanceof RenderBudgetExceeded) return [{ field: error.field, line: null, reason: error.message }];
    return [{ field: 'html', line: null, reason: (error as Error).message }];
  }
}
