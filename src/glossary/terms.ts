import { TranslationBundle } from '@jupyterlab/translation';

import { IGlossary } from '../tokens';

/**
 * The lesson's vocabulary, in the coach's own words. A function of the translation bundle so
 * that every text is translatable.
 */
export function glossaryTerms(trans: TranslationBundle): IGlossary.ITerm[] {
  return [
    {
      id: 'label',
      label: trans.__('Label'),
      aliases: [
        trans.__('target'),
        trans.__('class'),
        trans.__('labeled data')
      ],
      definition: trans.__(
        'The answer we want the model to give for an item, for example "cat" or "dog" for a photo.'
      ),
      relation: trans.__(
        "Training compares the model's predictions with the labels of the training set; the metric compares them on the validation set."
      ),
      related: ['training-set', 'fit', 'metric']
    },
    {
      id: 'architecture',
      label: trans.__('Architecture'),
      aliases: [trans.__('network'), 'resnet', 'resnet18', 'resnet34'],
      definition: trans.__(
        'The general shape of the model: the mathematical function that takes the input data and the parameters and computes a prediction. On its own it knows nothing yet.'
      ),
      relation: trans.__(
        'An architecture plus a set of parameters makes a model. A CNN is one family of architectures.'
      ),
      related: ['model', 'parameters', 'cnn']
    },
    {
      id: 'model',
      label: trans.__('Model'),
      aliases: [trans.__('learner')],
      definition: trans.__(
        'A program made from data rather than written by hand: an architecture together with one particular set of parameters.'
      ),
      relation: trans.__(
        'Model = architecture + parameters. Training (fitting) changes the parameters, so it changes the model.'
      ),
      related: ['architecture', 'parameters', 'fit']
    },
    {
      id: 'parameters',
      label: trans.__('Parameters'),
      aliases: [],
      definition: trans.__(
        'The numbers inside the model that decide what it computes. Training adjusts them, step by step.'
      ),
      relation: trans.__(
        'They turn a general architecture into a model for your task. A pretrained model comes with parameters already trained.'
      ),
      related: ['architecture', 'model', 'fit', 'weights']
    },
    {
      id: 'weights',
      label: trans.__('Weights'),
      aliases: [trans.__('weight')],
      definition: trans.__(
        'Another word for the parameters: the numbers in the model that training keeps adjusting.'
      ),
      relation: trans.__(
        'Pretrained weights were already trained by someone else on many images; random weights know nothing yet, so a model that starts from them must learn everything from your data.'
      ),
      related: ['parameters', 'pretrained-model', 'model']
    },
    {
      id: 'fit',
      label: trans.__('Fit'),
      aliases: [trans.__('fitting')],
      definition: trans.__(
        "To change the model's parameters so that its predictions on the input data come closer to the labels."
      ),
      relation: trans.__(
        'Fit and train mean the same. The loss says which way to change the parameters; one epoch is one pass over the training set.'
      ),
      related: ['train', 'loss', 'epoch', 'parameters']
    },
    {
      id: 'train',
      label: trans.__('Train'),
      aliases: [trans.__('training')],
      definition: trans.__('Another word for fit.'),
      relation: trans.__(
        'Training uses only the training set; the validation set is kept aside to check the result.'
      ),
      related: ['fit', 'training-set', 'validation-set']
    },
    {
      id: 'pretrained-model',
      label: trans.__('Pretrained model'),
      aliases: [trans.__('pretrained'), trans.__('pre-trained')],
      definition: trans.__(
        'A model someone has already trained, usually on a large data set, that we start from instead of starting from random parameters.'
      ),
      relation: trans.__(
        'We fine-tune a pretrained model for our own task: it learns faster and needs less data.'
      ),
      related: ['fine-tune', 'parameters', 'model']
    },
    {
      id: 'fine-tune',
      label: trans.__('Fine-tune'),
      aliases: [trans.__('fine-tuning'), 'fine_tune'],
      definition: trans.__(
        'To train a pretrained model a little more, on our data, so that it does a different task.'
      ),
      relation: trans.__(
        "fastai's fine_tune first trains only the new last layers for an epoch, then the whole model for the epochs you ask for."
      ),
      related: ['pretrained-model', 'train', 'epoch']
    },
    {
      id: 'epoch',
      label: trans.__('Epoch'),
      aliases: [trans.__('epochs')],
      definition: trans.__(
        'One complete pass over the training data: every training item has been seen once.'
      ),
      relation: trans.__(
        'After each epoch the coach shows the validation loss and the metric. More epochs can help, until overfitting starts.'
      ),
      related: ['training-set', 'metric', 'overfitting']
    },
    {
      id: 'batch',
      label: trans.__('Batch'),
      aliases: [trans.__('mini-batch'), trans.__('batch size'), 'batch_size'],
      definition: trans.__(
        'A small group of items, for example 64 images, that the model looks at together before its parameters change by one step.'
      ),
      relation: trans.__(
        'An epoch is made of many batches, and the training loss on the chart moves after each one. Smaller batches give more (and noisier) steps per epoch.'
      ),
      related: ['epoch', 'learning-rate', 'loss']
    },
    {
      id: 'learning-rate',
      label: trans.__('Learning rate'),
      aliases: ['lr', 'base_lr', trans.__('step size')],
      definition: trans.__(
        'How far each training step moves the parameters. The loss tells which way to move them; the learning rate tells how far.'
      ),
      relation: trans.__(
        "Too small and the loss falls slowly, so the model underfits in the epochs it gets; too large and the loss jumps around or blows up (the run diverges). fastai's lr_find helps to pick one."
      ),
      related: ['loss', 'batch', 'parameters', 'underfitting']
    },
    {
      id: 'loss',
      label: trans.__('Loss'),
      aliases: [
        trans.__('loss function'),
        trans.__('train loss'),
        trans.__('valid loss')
      ],
      definition: trans.__(
        "A score of how wrong the model's predictions are, chosen so that training can follow it downhill (with SGD)."
      ),
      relation: trans.__(
        'Loss is for the computer to learn from; the metric is for you to read. They usually move together but need not.'
      ),
      related: ['metric', 'fit', 'overfitting']
    },
    {
      id: 'metric',
      label: trans.__('Metric'),
      aliases: [trans.__('accuracy')],
      definition: trans.__(
        'A measure of how good the model is, computed on the validation set and chosen to be easy for people to understand, such as the error rate.'
      ),
      relation: trans.__(
        'Unlike the loss, the metric does not drive training; it tells you how well the model works on data it did not learn from.'
      ),
      related: ['loss', 'validation-set', 'error-rate']
    },
    {
      id: 'error-rate',
      label: trans.__('Error rate'),
      aliases: ['error_rate'],
      definition: trans.__(
        'The share of validation images the model gets wrong: 0.05 means 5 wrong out of every 100. Accuracy is 1 minus the error rate.'
      ),
      relation: trans.__(
        'It is the metric this panel reports. With few validation images it moves in big steps (one image of 20 is 0.05), so a small change can be chance rather than progress or overfitting.'
      ),
      related: ['metric', 'validation-set', 'overfitting']
    },
    {
      id: 'validation-set',
      label: trans.__('Validation set'),
      aliases: [trans.__('valid set'), trans.__('held-out data'), 'valid_pct'],
      definition: trans.__(
        'Part of the data kept out of training and used only to measure how good the model is.'
      ),
      relation: trans.__(
        'The metric and the validation loss come from it. If the model does much better on the training set than here, it is overfitting.'
      ),
      related: ['training-set', 'metric', 'overfitting']
    },
    {
      id: 'training-set',
      label: trans.__('Training set'),
      aliases: [trans.__('train set'), trans.__('training data')],
      definition: trans.__(
        'The data the model learns from. None of it is in the validation set.'
      ),
      relation: trans.__(
        'Fitting only sees the training set; the validation set checks that what was learned also holds for new data.'
      ),
      related: ['validation-set', 'fit', 'epoch']
    },
    {
      id: 'overfitting',
      label: trans.__('Overfitting'),
      aliases: [
        trans.__('overfit'),
        trans.__('generalize'),
        trans.__('memorize')
      ],
      definition: trans.__(
        'When a model memorizes details of its training data instead of learning general lessons, so it does worse on data it has not seen.'
      ),
      relation: trans.__(
        'You see it when the training loss keeps falling while the validation loss rises (or the metric gets worse). Fewer epochs or more data help.'
      ),
      related: ['validation-set', 'loss', 'epoch', 'underfitting']
    },
    {
      id: 'underfitting',
      label: trans.__('Underfitting'),
      aliases: [trans.__('underfit')],
      definition: trans.__(
        'When a model has not learned enough yet: it does badly even on the images it trains on, not only on new ones.'
      ),
      relation: trans.__(
        'The opposite of overfitting: the training and validation loss stay high and close together. More epochs, a better learning rate, a bigger architecture or a pretrained model help.'
      ),
      related: ['overfitting', 'loss', 'epoch', 'learning-rate']
    },
    {
      id: 'cnn',
      label: trans.__('CNN'),
      aliases: [
        trans.__('convolutional neural network'),
        trans.__('neural network')
      ],
      definition: trans.__(
        'Convolutional neural network: a kind of neural network that works especially well on images.'
      ),
      relation: trans.__(
        'It is an architecture; ResNet is a well-known CNN, and image classification relies on CNNs.'
      ),
      related: ['architecture', 'model']
    }
  ];
}

/** The short "machine learning vs deep learning" card. */
export function mlVsDl(trans: TranslationBundle): {
  title: string;
  paragraphs: string[];
} {
  return {
    title: trans.__('Machine learning and deep learning'),
    paragraphs: [
      trans.__(
        'Machine learning makes a program by learning from examples instead of writing every rule yourself. Every word in this glossary belongs to it: data with labels, a model, training, a validation set to check the result.'
      ),
      trans.__(
        'Deep learning is the part of machine learning whose architectures are neural networks with many layers. Image classification, for example, mostly uses convolutional neural networks (CNNs).'
      )
    ]
  };
}

const fold = (text: string) =>
  text
    .toLocaleLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[-_]/g, ' ');

/**
 * The terms matching a search, best first: the term itself, then an alias, then the definition
 * or relation. Every word of the query must match. An empty query returns all terms in order.
 */
export function searchTerms(
  terms: ReadonlyArray<IGlossary.ITerm>,
  query: string
): IGlossary.ITerm[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [...terms];
  }
  const scored: { term: IGlossary.ITerm; score: number; index: number }[] = [];
  terms.forEach((term, index) => {
    const label = fold(term.label);
    const aliases = term.aliases.map(fold);
    const text = fold(`${term.definition} ${term.relation}`);
    let score = 0;
    for (const word of words) {
      if (label.startsWith(word) || label.includes(` ${word}`)) {
        score += 3;
      } else if (label.includes(word) || aliases.some(a => a.includes(word))) {
        score += 2;
      } else if (text.includes(word)) {
        score += 1;
      } else {
        return;
      }
    }
    scored.push({ term, score, index });
  });
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(s => s.term);
}

/** The term with this id, label or alias (any case), or null. */
export function findTerm(
  terms: ReadonlyArray<IGlossary.ITerm>,
  key: string
): IGlossary.ITerm | null {
  const k = fold(key.trim());
  return (
    terms.find(t => fold(t.id) === k) ??
    terms.find(t => fold(t.label) === k) ??
    terms.find(t => t.aliases.some(a => fold(a) === k)) ??
    null
  );
}
