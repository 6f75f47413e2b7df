import { Liquid, type Template } from 'liquidjs';

/**
 * Campaign templates in Liquid, sandboxed (R-S1): no file system (includes and layouts resolve against an empty
 * in-memory set), only own properties of the variables, bounded parse size, render time and memory. A missing
 * variable renders empty. HTML output escapes every variable by default (a contact's name cannot inject markup).
 */
const LIMITS = { parseLimit: 1_000_000, renderLimit: 200, memoryLimit: 20_000_000 };

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
 * Renders one message; throws when a part exceeds the render time, memory or size bounds. The templates render
 * synchronously (the sandbox has no file system, so no tag waits for anything): Liquid's render limit is a deadline
 * on the clock, and an asynchronous render interleaved with dozens of others would spend its 200 ms waiting for them.
 */
export async function renderTemplates(
  templates: CampaignTemplates,
  variables: Record<string, unknown>,
): Promise<RenderedParts> {
  const subject: unknown = textEngine.renderSync(templates.subject, variables);
  const html: unknown = htmlEngine.renderSync(templates.html, variables);
  const text: unknown = templates.text ? textEngine.renderSync(templates.text, variables) : null;
  for (const part of [subject, html, text]) {
    if (part && Buffer.byteLength(String(part)) > MAX_RENDERED_BYTES)
      throw new Error('a rendered part exceeds the size limit');
  }
  return {
    subject: String(subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    html: String(html),
    text: text === null ? null : String(text),
  };
}
