// The ribbon's function file. The only button opens the task pane (manifest.xml, ShowTaskpane), so there is no
// command to register; Office still waits for the file to report ready.
import { officeReady } from '../taskpane/ready';

void officeReady().catch(() => undefined);
