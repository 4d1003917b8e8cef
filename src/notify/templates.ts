import { Liquid, type Template } from 'liquidjs';
import { BUILTIN_TEMPLATES, type MessageTemplate } from './builtin-templates.ts';
import { notifyErrors } from './errors.ts';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string | null;
}

type Part = keyof MessageTemplate;

/**
 * Renders notification templates with Liquid. Strict: a variable the data does not have
 * fails the render with NOTIFY_TEMPLATE_VARIABLE_UNKNOWN naming it (never an empty string),
 * except as an `if` condition or before `default`. HTML parts escape every output.
 * Parsed templates are cached by their source.
 */
export class TemplateRenderer {
  readonly #templates: Record<string, MessageTemplate>;
  readonly #text = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    cache: false,
  });
  readonly #html = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    outputEscape: 'escape',
    cache: false,
  });
  readonly #parsed = new Map<string, Template[]>();

  constructor(extra: Record<string, MessageTemplate> = {}) {
    this.#templates = { ...BUILTIN_TEMPLATES, ...extra };
  }

  names(): string[] {
    return Object.keys(this.#templates).sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#templates, name);
  }

  /** Why this Liquid source does not parse, or null when it does (checked when workflows load). */
  syntaxError(source: string): string | null {
    try {
      this.#text.parse(source);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Renders a named template. */
  async render(name: string, data: Record<string, unknown>): Promise<RenderedMessage> {
    const template = this.has(name) ? this.#templates[name]! : null;
    if (!template) throw notifyErrors.templateUnknown(name, this.names());
    return this.renderTemplate(name, template, data);
  }

  /** Renders a template given inline (a `notify` step's subject/body/html). */
  async renderTemplate(
    label: string,
    template: MessageTemplate,
    data: Record<string, unknown>,
  ): Promise<RenderedMessage> {
    const subject = await this.#part(label, 'subject', template.subject, data);
    const text = await this.#part(label, 'text', template.text, data);
    const html =
      template.html === undefined ? null : await this.#part(label, 'html', template.html, data);
    // A header is one line: a line break in data must not start a second header.
    return { subject: subject.replace(/\s*[\r\n]+\s*/g, ' ').trim(), text, html };
  }

  async #part(
    label: string,
    part: Part,
    source: string,
    data: Record<string, unknown>,
  ): Promise<string> {
    const engine = part === 'html' ? this.#html : this.#text;
    const key = `${part === 'html' ? 'h' : 't'}:${source}`;
    try {
      let parsed = this.#parsed.get(key);
      if (!parsed) {
        parsed = engine.parse(source);
        if (this.#parsed.size > 500) this.#parsed.clear();
        this.#parsed.set(key, parsed);
      }
      return String(await engine.render(parsed, data));
    } catch (error) {
      const e = error as Error;
      const undefinedVariable = /^undefined variable: ([^,]+)/.exec(e.message);
      if (e.name === 'UndefinedVariableError' && undefinedVariable)
        throw notifyErrors.templateVariable(label, part, undefinedVariable[1]!);
      throw notifyErrors.templateInvalid(label, part, e.message);
    }
  }
}
