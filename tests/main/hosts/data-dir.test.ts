import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { switchboardDataDir } from '../../../main/hosts/data-dir.ts';

describe('switchboardDataDir', () => {
  it('uses XDG_DATA_HOME on Linux, else ~/.local/share', () => {
    expect(switchboardDataDir('linux', { XDG_DATA_HOME: '/xdg' }, '/home/sam')).toBe('/xdg/switchboard');
    expect(switchboardDataDir('linux', {}, '/home/sam')).toBe('/home/sam/.local/share/switchboard');
    expect(switchboardDataDir('linux', { XDG_DATA_HOME: 'relative' }, '/home/sam')).toBe('/home/sam/.local/share/switchboard');
  });

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(switchboardDataDir('darwin', {}, '/Users/sam')).toBe('/Users/sam/Library/Application Support/Switchboard');
    expect(switchboardDataDir('win32', { APPDATA: 'C:\\Users\\sam\\AppData\\Roaming' }, 'C:\\Users\\sam')).toBe(
      'C:\\Users\\sam\\AppData\\Roaming\\Switchboard',
    );
  });

  it('lets SWITCHBOARD_DATA_DIR override every platform', () => {
    expect(switchboardDataDir('darwin', { SWITCHBOARD_DATA_DIR: '/tmp/sb' }, '/Users/sam')).toBe(path.resolve('/tmp/sb'));
  });
});
