// .gitignore of a scaffolded repository: the age private key and decrypted secrets never reach git.
export const GITIGNORE = `# age private keys and decrypted secrets never go into git
age.key
*.agekey
keys.txt
*.dec.yaml
*.decrypted.*
node_modules/
# CI: the validate report
validate.sarif
`;
