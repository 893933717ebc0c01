import { nullTranslator } from '@jupyterlab/translation';

import { GlossaryModel } from '../glossary/model';
import { findTerm, glossaryTerms, searchTerms } from '../glossary/terms';

const trans = nullTranslator.load('jupyterlab_dlcoach');
const terms = glossaryTerms(trans);
const ids = (list: { id: string }[]) => list.map(t => t.id);

describe('glossary terms', () => {
  it("has the lesson's 15 terms and the panel's 5, each with a definition and valid related terms", () => {
    expect(ids(terms)).toEqual([
      'label',
      'architecture',
      'model',
      'parameters',
      'weights',
      'fit',
      'train',
      'pretrained-model',
      'fine-tune',
      'epoch',
      'batch',
      'learning-rate',
      'loss',
      'metric',
      'error-rate',
      'validation-set',
      'training-set',
      'overfitting',
      'underfitting',
      'cnn'
    ]);
    for (const term of terms) {
      expect(term.definition.length).toBeGreaterThan(10);
      expect(term.relation.length).toBeGreaterThan(10);
      for (const id of term.related) {
        expect(ids(terms)).toContain(id);
        expect(id).not.toBe(term.id);
      }
    }
  });

  it('says how the terms relate', () => {
    const model = findTerm(terms, 'model')!;
    expect(model.related).toEqual(
      expect.arrayContaining(['architecture', 'parameters'])
    );
    expect(findTerm(terms, 'fit')!.related).toContain('train');
    expect(findTerm(terms, 'train')!.related).toContain('fit');
    expect(findTerm(terms, 'metric')!.related).toContain('loss');
    expect(findTerm(terms, 'weights')!.related).toContain('parameters');
    expect(findTerm(terms, 'underfitting')!.related).toContain('overfitting');
    expect(findTerm(terms, 'overfitting')!.related).toContain('underfitting');
  });

  it('explains every word the coach names in its warnings', () => {
    for (const word of [
      'learning rate',
      'batch',
      'underfitting',
      'error rate',
      'weights',
      'pretrained model',
      'fine-tune',
      'training set',
      'validation set'
    ]) {
      expect(findTerm(terms, word)).not.toBeNull();
    }
    expect(findTerm(terms, 'lr')?.id).toBe('learning-rate');
    expect(findTerm(terms, 'error_rate')?.id).toBe('error-rate');
    expect(findTerm(terms, 'batch size')?.id).toBe('batch');
  });
});

describe('searchTerms', () => {
  it('returns all terms in order for an empty query', () => {
    expect(ids(searchTerms(terms, '  '))).toEqual(ids(terms));
  });

  it("matches a term's name first", () => {
    expect(ids(searchTerms(terms, 'loss'))[0]).toBe('loss');
    expect(ids(searchTerms(terms, 'VALID'))[0]).toBe('validation-set');
  });

  it('matches aliases', () => {
    expect(ids(searchTerms(terms, 'weights'))[0]).toBe('weights');
    expect(ids(searchTerms(terms, 'accuracy'))).toContain('metric');
    expect(ids(searchTerms(terms, 'convolutional'))).toContain('cnn');
  });

  it('matches definitions, and every word must match', () => {
    expect(ids(searchTerms(terms, 'memorizes'))).toContain('overfitting');
    expect(ids(searchTerms(terms, 'pass training'))).toContain('epoch');
    expect(searchTerms(terms, 'loss zebra')).toEqual([]);
  });

  it('ignores case, hyphens and underscores', () => {
    expect(ids(searchTerms(terms, 'fine tune'))[0]).toBe('fine-tune');
    expect(ids(searchTerms(terms, 'Fine_Tune'))[0]).toBe('fine-tune');
  });
});

describe('findTerm', () => {
  it('finds by id, label or alias in any case', () => {
    expect(findTerm(terms, 'validation-set')?.id).toBe('validation-set');
    expect(findTerm(terms, 'Validation set')?.id).toBe('validation-set');
    expect(findTerm(terms, 'WEIGHTS')?.id).toBe('weights');
    expect(findTerm(terms, 'Error Rate')?.id).toBe('error-rate');
    expect(findTerm(terms, 'nothing')).toBeNull();
  });
});

describe('GlossaryModel', () => {
  it('clears the search and highlights an opened term', () => {
    const model = new GlossaryModel(terms);
    model.query = 'loss';
    const serial = model.highlightSerial;
    expect(model.highlight('epochs')?.id).toBe('epoch');
    expect(model.query).toBe('');
    expect(model.highlighted).toBe('epoch');
    expect(model.highlightSerial).toBe(serial + 1);
    expect(model.highlight('nope')).toBeNull();
    expect(model.highlighted).toBe('epoch');
  });
});
