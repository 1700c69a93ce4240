import { render } from 'preact';

render(<p>staff</p>, document.getElementById('app')!);
