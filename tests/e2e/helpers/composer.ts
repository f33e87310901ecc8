import type { Locator, Page } from 'playwright-core';

/** The reply composer's text box (a rich-text editor). */
export function composerBox(page: Page): Locator {
  return page.getByTestId('composer-text').getByRole('textbox');
}

/**
 * Types into a rich-text box as an agent does: a blank line starts a new paragraph (Enter), a
 * single line break is Shift+Enter — what mail clients show as the same.
 */
export async function typeRich(page: Page, box: Locator, text: string): Promise<void> {
  await box.click();
  for (const [i, paragraph] of text.split(/\n{2,}/).entries()) {
    if (i) await page.keyboard.press('Enter');
    for (const [j, line] of paragraph.split('\n').entries()) {
      if (j) await page.keyboard.press('Shift+Enter');
      await page.keyboard.type(line);
    }
  }
}

/** The paragraphs a rich-text box holds, as text. */
export function paragraphsOf(box: Locator): Promise<string[]> {
  return box.locator('p').allInnerTexts();
}
