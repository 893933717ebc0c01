import { LabIcon } from '@jupyterlab/ui-components';

import coachSvg from '../style/icons/coach.svg';

export const coachIcon = new LabIcon({
  name: 'jupyterlab-dlcoach:coach',
  svgstr: coachSvg
});
