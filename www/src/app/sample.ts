/** The bundled sample dataset, downloaded as a file as if the user had dropped it. */
export async function fetchSample(url: string): Promise<File> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return new File([await response.blob()], 'telecom.csv', { type: 'text/csv' });
}
