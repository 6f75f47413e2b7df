// Nest CLI webpack build for every app (dist/apps/<app>/main.js), compiled with swc-loader instead of
// ts-loader: the monorepo way Nest documents for SWC. Type checking is `npm run lint` (tsc --noEmit).
const path = require('path');
const swcrc = JSON.parse(require('fs').readFileSync(path.join(__dirname, '../../.swcrc'), 'utf8'));

module.exports = (options) => ({
  ...options,
  devtool: 'source-map',
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: { ...swcrc, jsc: { ...swcrc.jsc, baseUrl: path.join(__dirname, '../..') } },
        },
      },
    ],
  },
  plugins: (options.plugins || []).filter((p) => p.constructor.name !== 'ForkTsCheckerWebpackPlugin'),
});
