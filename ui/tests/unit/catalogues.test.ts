// The catalogues are complete: every language has every string English has, with the same
// placeholders, and no view writes words of its own outside them.
import { parse } from 'svelte/compiler'
import { describe, expect, it } from 'vitest'
import { CATALOGUES, LANGUAGES, setLanguage, t } from '../../src/lib/i18n.svelte'

type Catalogue = { [key: string]: string | Catalogue }

/** Every key of a catalogue as a dotted path, with its string. */
function strings(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const found = new Map<string, string>()
  for (const [key, value] of Object.entries(catalogue)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') found.set(path, value)
    else for (const [inner, text] of strings(value, path)) found.set(inner, text)
  }
  return found
}

// A plural is a key with a suffix per CLDR category; languages differ in which they need.
const PLURAL = /_(zero|one|two|few|many|other)$/
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((match) => match[1]).sort()

describe('catalogues', () => {
  const english = CATALOGUES.en as unknown as Record<string, Catalogue>

  for (const language of LANGUAGES.filter((l) => l !== 'en')) {
    const other = CATALOGUES[language] as unknown as Record<string, Catalogue>

    it(`${language} has the areas English has`, () => {
      expect(Object.keys(other).sort()).toEqual(Object.keys(english).sort())
    })

    for (const area of Object.keys(english)) {
      it(`${language}/${area}.json has every string of en/${area}.json, and no other`, () => {
        const base = (keys: Iterable<string>) => [...new Set([...keys].map((key) => key.replace(PLURAL, '')))].sort()
        const theirs = strings(other[area] ?? {})
        expect(base(theirs.keys())).toEqual(base(strings(english[area]).keys()))
      })

      it(`${language}/${area}.json keeps English's placeholders and leaves nothing empty`, () => {
        const ours = strings(english[area])
        const theirs = strings(other[area] ?? {})
        for (const [key, text] of theirs) {
          expect(text.trim(), `${area}:${key}`).not.toBe('')
          const source = ours.get(key) ?? ours.get(key.replace(PLURAL, '_other'))
          if (source !== undefined) expect(placeholders(text), `${area}:${key}`).toEqual(placeholders(source))
        }
      })

      it(`${language}/${area}.json has the plural forms its language needs`, () => {
        const rules = new Intl.PluralRules(language)
        const needed = new Set([0, 1, 2, 5, 21].map((count) => rules.select(count)))
        const theirs = [...strings(other[area] ?? {}).keys()]
        for (const plural of theirs.filter((key) => key.endsWith('_other'))) {
          const stem = plural.replace(PLURAL, '')
          for (const category of needed) expect(theirs, `${area}:${stem}`).toContain(`${stem}_${category}`)
        }
      })
    }
  }

  it('a change of language changes the words', () => {
    setLanguage('es')
    expect(t('actions.cancel')).toBe('Cancelar')
    setLanguage('en')
    expect(t('actions.cancel')).toBe('Cancel')
  })
})

// Words a person reads in a view: text between tags, and the attributes that are read out or
// shown. Anything with two letters in a row counts; "·", "–" and numbers do not.
const READ_ATTRIBUTES = new Set(['title', 'placeholder', 'aria-label', 'alt', 'aria-description', 'aria-roledescription', 'label'])
const WORDS = /\p{L}{2}/u

type Node = { type?: string; data?: string; name?: string; value?: unknown; start?: number; [key: string]: unknown }

function literalWords(source: string): { text: string; line: number }[] {
  const found: { text: string; line: number }[] = []
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length
  const visit = (node: unknown, inStyleOrScript = false) => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) return node.forEach((child) => visit(child, inStyleOrScript))
    const n = node as Node
    if (n.type === 'Text' && typeof n.data === 'string' && WORDS.test(n.data) && !inStyleOrScript) {
      found.push({ text: n.data.trim(), line: lineOf(n.start ?? 0) })
    }
    if (n.type === 'StyleDirective' || n.type === 'ClassDirective') return
    if (n.type === 'Attribute') {
      // Only the attributes a person reads; an id, a class or a test id is not words.
      const read = typeof n.name === 'string' && READ_ATTRIBUTES.has(n.name)
      for (const part of Array.isArray(n.value) ? (n.value as Node[]) : []) {
        if (read && part.type === 'Text' && typeof part.data === 'string' && WORDS.test(part.data)) {
          found.push({ text: `${n.name}="${part.data}"`, line: lineOf(part.start ?? 0) })
        }
      }
      return
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === 'instance' || key === 'module' || key === 'css' || key === 'attributes') continue
      visit(child, inStyleOrScript)
    }
    if (Array.isArray(n.attributes)) visit(n.attributes)
  }
  visit(parse(source, { modern: true }).fragment)
  return found
}

const VIEWS = import.meta.glob<string>('../../src/**/*.svelte', { query: '?raw', import: 'default', eager: true })

describe('views', () => {
  for (const [file, source] of Object.entries(VIEWS)) {
    it(`${file.replace('../../src/', '')} takes its words from the catalogues`, () => {
      expect(literalWords(source)).toEqual([])
    })
  }
})
