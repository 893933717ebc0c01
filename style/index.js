import './base.css';
import './training.css';
import './runview.css';
import './mistakes.css';
